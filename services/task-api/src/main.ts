import { connect } from "@nudge/db";
import { createLogger, loadOrExit, stopOnSignals } from "@nudge/service";
import { buildApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { startOutboxRelay } from "./outbox/relay.ts";
import { checkTimeZones } from "./users/time-zones.ts";

const config = loadOrExit("task-api", () => loadConfig());

const log = createLogger("task-api", config.logLevel);
const sql = connect(config.database.url, {
  schema: config.database.schema,
  max: config.database.poolMax,
  applicationName: "task-api",
});
await checkTimeZones(sql).catch((error) => {
  log.error("time zones", { error: String(error) });
  process.exit(2);
});
const app = buildApp({ sql, config, sidecar: config.sidecar, log });
const relay = startOutboxRelay(
  sql,
  config.sidecar,
  { schema: config.database.schema, ...config.outbox },
  log,
);
if (!config.appApiToken) log.warn("APP_API_TOKEN is not set: internal routes refuse every call");

app.listen({ port: config.port, hostname: config.host });
log.info("task-api listening", { port: config.port, host: config.host });

stopOnSignals(log, async () => {
  await app.stop();
  await relay.stop();
  await sql.end({ timeout: 5 });
});
