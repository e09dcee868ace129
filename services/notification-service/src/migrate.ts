/** `bun run migrate`: apply notification-service's SQL migrations. */
import { serviceMigrations } from "@nudge/db";
import { loadMigrationConfig } from "./config.ts";

export const migrations = serviceMigrations("notification-service", import.meta.dir, loadMigrationConfig);

if (import.meta.main) await migrations.fromEnvironment();
