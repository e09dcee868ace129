/** `bun run migrate`: apply audit-service's SQL migrations. */
import { serviceMigrations } from "@nudge/db";
import { DATABASE } from "./config.ts";

export const migrations = serviceMigrations("audit-service", import.meta.dir, DATABASE);

if (import.meta.main) await migrations.fromEnvironment();
