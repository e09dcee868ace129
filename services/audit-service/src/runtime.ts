import { jobsClient, scheduleWhenReady } from "@nudge/dapr";
import { connectService } from "@nudge/db";
import { tokenVerifier } from "@nudge/http";
import { createLogger, type Logger } from "@nudge/service";
import { buildApp } from "./app.ts";
import type { Config } from "./config.ts";
import { scheduleRetention } from "./retention/job.ts";

/** Wires the service: pool, HTTP app, the retention job. main.ts and the tests start it this way. */
export function createAuditService(
  config: Config,
  log: Logger = createLogger("audit-service", config.logLevel),
) {
  const sql = connectService("audit-service", config.database);
  const jobs = jobsClient(config.sidecar);
  const app = buildApp({
    sql,
    sidecar: config.sidecar,
    jobs,
    verify: tokenVerifier(config.jwt),
    retention: config.retention,
    appApiToken: config.appApiToken,
    operatorToken: config.operatorToken,
    log,
  });
  return {
    app,
    sql,
    jobs,
    listen() {
      app.listen({ port: config.port, hostname: config.host });
    },
    /** The retention job needs a live sidecar (and its scheduler connection). */
    scheduleRetention: (sidecarUp: () => Promise<boolean>) =>
      scheduleWhenReady(
        sidecarUp,
        "retention job",
        () => scheduleRetention(jobs, config.retention.schedule),
        log,
      ),
    async stop() {
      await app.stop(true);
      await sql.end({ timeout: 5 });
    },
  };
}
