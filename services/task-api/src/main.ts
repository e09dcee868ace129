import { connect } from "@nudge/db";
import { shutdown } from "@nudge/http";
import { createLogger, loadOrExit, stopOnSignals } from "@nudge/service";
import { buildApp } from "./app.ts";
import { loadConfig } from "./config.ts";
import { startIdempotencyPruner } from "./idempotency/pruner.ts";
import { Metrics } from "./observability/metrics.ts";
import { metricsApp } from "./observability/routes.ts";
import { startOutboxRelay } from "./outbox/relay.ts";
import { checkTimeZonesWhenReachable } from "./users/time-zones.ts";

/** How long a stopping task-api keeps answering with `Connection: close` before it stops listening. */
const DRAIN_MS = 1000;

const config = loadOrExit("task-api", () => loadConfig());

const log = createLogger("task-api", config.logLevel);
const sql = connect(config.database.url, {
  schema: config.database.schema,
  max: config.database.poolMax,
  applicationName: "task-api",
});
const metrics = new Metrics();
const app = buildApp({ sql, config, sidecar: config.sidecar, log, metrics });
const metricsServer = metricsApp(sql, metrics);
const relay = startOutboxRelay(
  sql,
  config.sidecar,
  { schema: config.database.schema, ...config.outbox },
  log,
  metrics,
);
const idempotencyPruner = startIdempotencyPruner(sql, config.database.schema, log);
if (!config.appApiToken) log.warn("APP_API_TOKEN is not set: internal routes refuse every call");
if (!config.operatorToken)
  log.info("OPERATOR_TOKEN is not set: operator routes (./nudge outbox) refuse every call");

app.listen({ port: config.port, hostname: config.host });
// Once PostgreSQL answers (it may not yet: /readyz says so meanwhile), refuse to run with a
// tzdata older than the zones the API accepts.
void checkTimeZonesWhenReachable(sql, log);
if (config.metricsPort) metricsServer.listen({ port: config.metricsPort, hostname: config.host });
else log.info("METRICS_PORT is not set: no metrics endpoint");
log.info("task-api listening", { port: config.port, host: config.host, metricsPort: config.metricsPort });

stopOnSignals(log, async () => {
  // Keep serving for a moment, telling each keep-alive client to reconnect, then stop taking
  // connections: by then busy clients have moved to another pod (Kubernetes stopped routing new
  // connections here during the preStop pause).
  shutdown.draining = true;
  await Bun.sleep(DRAIN_MS);
  await app.stop();
  await metricsServer.stop();
  await relay.stop();
  await idempotencyPruner.stop();
  await sql.end({ timeout: 5 });
});
