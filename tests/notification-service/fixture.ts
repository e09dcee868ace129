import { join } from "node:path";
import { publishEvent, type Sidecar, sidecarReady } from "@nudge/dapr";
import type { Sql } from "@nudge/db";
import { startMailCapture } from "@nudge/mail-capture";
import { createLogger } from "@nudge/service";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  type ServiceProcess,
  serviceProcess,
  sidecarPorts,
  waitFor,
} from "@nudge/testing";
import { loadConfig } from "../../services/notification-service/src/config.ts";
import { migrations as notificationMigrations } from "../../services/notification-service/src/migrate.ts";
import { createNotificationService } from "../../services/notification-service/src/runtime.ts";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";

/** The task title a reminder email's subject names ("Reminder: <title> (due <when>)"). */
export const reminderTitle = (subject: string) =>
  subject.replace(/^Reminder: /, "").replace(/ \(due [^)]*\)$/, "");

export const OPERATOR_TOKEN = "operator-token-for-tests-0123";
export const SCHEMA = "notification_service";

/** The environment notification-service runs with in tests. */
export function notificationEnv(
  databaseUrl: string,
  port: number,
  ports: { httpPort: number; grpcPort: number },
  mailUrl: string,
) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    DB_SCHEMA: SCHEMA,
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
    OPERATOR_TOKEN,
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: mailUrl,
    EMAIL_FROM: "Nudge <reminders@nudge.test>",
    EMAIL_REPLY_TO: "help@nudge.test",
    EMAIL_UNSUBSCRIBE_MAILTO: "unsubscribe@nudge.test",
    SEND_FIRST_RETRY_MS: "200",
  };
}

/**
 * The whole reminder path on real parts: task-api (outbox → Kafka), notification-service with its
 * own daprd (declarative subscription, Jobs, Workflow), and the Resend capture server.
 */
export async function startReminderSystem(
  env: { taskApi?: Record<string, string>; notification?: Record<string, string> } = {},
) {
  const api = await startTaskApi("task-api", env.taskApi);
  const mail = await startMailCapture({ port: 0 });
  await notificationMigrations.apply(api.stack.databaseUrl, SCHEMA);
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({
    ...notificationEnv(api.stack.databaseUrl, port, ports, mail.url),
    LOG_LEVEL: "warn",
    ...env.notification,
  });
  const service = createNotificationService(config, createLogger("notification-service", "warn"));
  service.listen();
  const sidecar: RunningSidecar = await api.stack.sidecar({
    appId: "notification-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
  });
  await service.startWorker(() => sidecarReady(sidecar));
  await untilRemindersFlow(api, service.sql);
  return {
    api,
    mail,
    service,
    sidecar,
    port,
    async stop() {
      await service.stop();
      await sidecar.stop();
      await mail.stop();
      await api.stop();
    },
  };
}

/**
 * notification-service as a real process (so a test can SIGKILL it at the bad moment) with its
 * own daprd, against `api`'s database and the capture server at `mailUrl`. Migrations are the
 * caller's (once per database, before the first replica).
 */
export async function notificationProcess(
  api: TaskApiFixture,
  mailUrl: string,
  env: Record<string, string> = {},
  logName?: string,
): Promise<{ app: ServiceProcess; sidecar: RunningSidecar }> {
  const port = await freePort();
  const ports = await sidecarPorts();
  const app = serviceProcess("notification-service", port, {
    ...notificationEnv(api.stack.databaseUrl, port, ports, mailUrl),
    LOG_LEVEL: "error",
    ...env,
  });
  await app.start();
  const sidecar = await api.stack.sidecar({
    appId: "notification-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
    ...(logName ? { logName } : {}),
  });
  return { app, sidecar };
}

/**
 * Wait until the whole reminder path works: a `reminder.scheduled` event for a reminder that does
 * not exist is consumed, arms its bucket's job, the job fires and the bucket's workflow claims
 * and looks it up (and skips it: nothing to send). After an earlier suite killed a sidecar, the consumer
 * group, the scheduler's streams and actor placement each take a few seconds to settle; timing
 * assertions must not measure that.
 */
export async function untilRemindersFlow(api: { sidecar: Sidecar }, sql: Sql) {
  const reminderId = crypto.randomUUID();
  const at = new Date(Date.now() + 1000).toISOString();
  const data = {
    schemaVersion: 1,
    reminderId,
    taskId: reminderId,
    userId: "probe",
    at,
    occurrenceKey: `${reminderId}:probe`,
  };
  const event = {
    specversion: "1.0" as const,
    id: crypto.randomUUID(),
    type: "reminder.scheduled",
    source: "/tests",
    subject: reminderId,
    time: new Date().toISOString(),
    datacontenttype: "application/json" as const,
    data,
  };
  await publishEvent(api.sidecar, "reminders", event, { partitionKey: reminderId });
  await waitFor(
    "a probe reminder to flow through notification-service",
    async () =>
      (await sql`select 1 from deliveries where reminder_id = ${reminderId} and status = 'skipped'`).length >
      0,
    { timeoutMs: 90_000, intervalMs: 200 },
  );
}

export type ReminderSystem = Awaited<ReturnType<typeof startReminderSystem>>;

/** An instant `ms` from now, on a whole second, so it starts a bucket and lateness is clean. */
export const secondsAhead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);

/**
 * An instant for reminders still to be created, given when creating their tasks began: the
 * reminders cost about what the tasks did, however loaded the machine is, so twice that plus
 * 5 s (at least 10 s) ahead, on a whole second — every reminder exists before it.
 */
export const beyondCreation = (tasksBeganAt: number) =>
  secondsAhead(Math.max(10_000, 2 * (Date.now() - tasksBeganAt) + 5000));

/** `work(0) … work(count - 1)`, at most `concurrency` at a time; results in index order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) results[i] = await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export interface Recipient {
  user: string;
  email: string;
  task: { id: string };
  reminder: { id: string; taskId: string; occurrenceKey: string };
}

/** `count` users, each with an address and one task whose reminder is due at `at`. */
export async function remindersAt(
  api: TaskApiFixture,
  count: number,
  at: Date,
  title: (i: number) => string,
): Promise<Recipient[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const user = `user-${crypto.randomUUID()}`;
      const email = `${user}@example.com`;
      await api.request("PATCH", "/me/preferences", { user, body: { email } });
      const { body: task } = await api.request("POST", "/tasks", { user, body: { title: title(i) } });
      const created = await api.request("POST", `/tasks/${task.id}/reminders`, {
        user,
        body: { at: at.toISOString() },
      });
      if (created.status !== 201) throw new Error(`reminder not created: ${created.status} ${created.text}`);
      return { user, email, task, reminder: created.body };
    }),
  );
}

/**
 * How late counts as broken in a test. Being on time (p99 < 1 s over 100 spaced-out reminders)
 * is the benchmark's figure (`bun run bench reminders --reminders 100 --spread-seconds 300`),
 * not a test's: on this shared machine a healthy delivery has arrived 8.5 s late at a load
 * average near 10. A fault makes a reminder far later than this, or never: a lost trigger or
 * claim never delivers, a trigger the app missed is retried 2 s at a time, a chunk waits out
 * backoffs.
 */
export const FAULTY_AFTER_MS = 30_000;
