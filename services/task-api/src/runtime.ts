import { connectService } from "@nudge/db";
import { shutdown } from "@nudge/http";
import { createLogger, type Logger } from "@nudge/service";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { type IdempotencyPruner, startIdempotencyPruner } from "./idempotency/pruner.ts";
import { Metrics } from "./observability/metrics.ts";
import { metricsApp } from "./observability/routes.ts";
import { type OutboxRelay, startOutboxRelay } from "./outbox/relay.ts";
import { checkTimeZonesWhenReachable } from "./users/time-zones.ts";

/** How long a stopping task-api keeps answering with `Connection: close` before it stops listening. */
const DRAIN_MS = 1000;

/**
 * Wires the service: pool, HTTP app, metrics endpoint, outbox relay, idempotency-key pruner. main.ts and the tests start
 * it this way: `listen` serves the API, `start` the work in the background (the tests once their
 * sidecar is up, so the relay's first publishes do not fail).
 */
export function createTaskApi(config: Config, log: Logger = createLogger("task-api", config.logLevel)) {
  const sql = connectService("task-api", config.database);
  const metrics = new Metrics();
  const app = buildApp({ sql, config, sidecar: config.sidecar, log, metrics });
  const metricsServer = metricsApp(sql, metrics);
  let relay: OutboxRelay | undefined;
  let idempotencyPruner: IdempotencyPruner | undefined;
  if (!config.appApiToken) log.warn("APP_API_TOKEN is not set: internal routes refuse every call");
  if (!config.operatorToken)
    log.info("OPERATOR_TOKEN is not set: operator routes (./nudge outbox) refuse every call");

  return {
    app,
    sql,
    metrics,
    /** The outbox relay, once `start` has started it. */
    get relay(): OutboxRelay {
      if (!relay) throw new Error("task-api's outbox relay is started by start()");
      return relay;
    },
    listen() {
      app.listen({ port: config.port, hostname: config.host });
      // Once PostgreSQL answers (it may not yet: /readyz says so meanwhile), refuse to run with a
      // tzdata older than the zones the API accepts.
      void checkTimeZonesWhenReachable(sql, log);
      if (config.metricsPort) metricsServer.listen({ port: config.metricsPort, hostname: config.host });
      else log.info("METRICS_PORT is not set: no metrics endpoint");
    },
    start() {
      relay = startOutboxRelay(
        sql,
        config.sidecar,
        { schema: config.database.schema, ...config.outbox },
        log,
        metrics,
      );
      idempotencyPruner = startIdempotencyPruner(sql, config.database.schema, log);
    },
    /**
     * Keep serving for `drainMs`, telling each keep-alive client to reconnect, then stop taking
     * connections: by then busy clients have moved to another pod (Kubernetes stopped routing new
     * connections here during the preStop pause). Tests stop at once (`drainMs: 0`), cutting what
     * is still open.
     */
    async stop({ drainMs = DRAIN_MS }: { drainMs?: number } = {}) {
      if (drainMs > 0) {
        shutdown.draining = true;
        await Bun.sleep(drainMs);
      }
      await app.stop(drainMs === 0);
      await metricsServer.stop(drainMs === 0);
      await relay?.stop();
      await idempotencyPruner?.stop();
      await sql.end({ timeout: 5 });
    },
  };
}

export type TaskApi = ReturnType<typeof createTaskApi>;
