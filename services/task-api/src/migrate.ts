/** `bun run migrate`: apply task-api's SQL migrations (also the Kubernetes migration Job). */
import { serviceMigrations } from "@nudge/db";
import { DATABASE } from "./config.ts";

export const migrations = serviceMigrations("task-api", import.meta.dir, DATABASE);

if (import.meta.main) await migrations.fromEnvironment();
