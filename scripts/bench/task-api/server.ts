/**
 * task-api as main.ts wires it (config from the environment, one pool, buildApp, listen), minus
 * the outbox relay: the benchmark measures the write path, and publishing is asynchronous.
 * Spawned by the benchmark so the server has an event loop and a resident set of its own.
 */
import { connect } from "../../../packages/db/src/index.ts";
import { createLogger } from "../../../packages/service/src/index.ts";
import { buildApp } from "../../../services/task-api/src/app.ts";
import { loadConfig } from "../../../services/task-api/src/config.ts";

const config = loadConfig();
const log = createLogger("task-api-bench", config.logLevel);
const sql = connect(config.database.url, {
  schema: config.database.schema,
  max: config.database.poolMax,
  applicationName: "task-api-bench",
});
const app = buildApp({ sql, config, sidecar: config.sidecar, log });
app.listen({ port: config.port, hostname: config.host });

process.once("SIGTERM", async () => {
  await app.stop();
  await sql.end({ timeout: 5 });
  process.exit(0);
});
