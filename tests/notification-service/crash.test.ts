import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connect } from "@nudge/db";
import { type MailCapture, startMailCapture } from "@nudge/mail-capture";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  type ServiceProcess,
  STARTUP_TIMEOUT_MS,
  serviceProcess,
  sidecarPorts,
  TEARDOWN_TIMEOUT_MS,
  waitFor,
} from "@nudge/testing";
import { migrateNotificationService } from "../../services/notification-service/src/migrate.ts";
import { APP_API_TOKEN, startTaskApi, type TaskApiFixture } from "../task-api/fixture.ts";
import { notificationEnv, SCHEMA, untilRemindersFlow } from "./fixture.ts";

let api: TaskApiFixture;
let mail: MailCapture;
let sidecar: RunningSidecar;
let env: Record<string, string>;
let port: number;
// notification-service as a real process, so it can be killed at the bad moment.
let service: ServiceProcess | undefined;

beforeAll(async () => {
  api = await startTaskApi();
  mail = await startMailCapture({ port: 0 });
  await migrateNotificationService(api.stack.databaseUrl, SCHEMA);
  port = await freePort();
  const ports = await sidecarPorts();
  env = { ...notificationEnv(api.stack.databaseUrl, port, ports, mail.url), LOG_LEVEL: "error" };
  service = serviceProcess("notification-service", port, env);
  await service.start();
  sidecar = await api.stack.sidecar({
    appId: "notification-service",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN },
  });
  const probe = connect(api.stack.databaseUrl, { schema: SCHEMA, max: 1, applicationName: "crash-probe" });
  await untilRemindersFlow(api, probe);
  await probe.end();
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await service?.kill("SIGTERM");
  await sidecar?.stop();
  await mail?.stop();
  await api?.stop();
}, TEARDOWN_TIMEOUT_MS);

async function reminderIn(ms: number) {
  const user = `user-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await api.request("PATCH", "/me/preferences", { user, body: { email } });
  const { body: task } = await api.request("POST", "/tasks", { user, body: { title: "Crash-proof" } });
  const at = new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
  const { body: reminder } = await api.request("POST", `/tasks/${task.id}/reminders`, {
    user,
    body: { at: at.toISOString() },
  });
  return { email, reminder };
}

const deliveries = async (reminderId: string) =>
  api.sql.unsafe<{ status: string }[]>(`select status from "${SCHEMA}".deliveries where reminder_id = $1`, [
    reminderId,
  ]);

/** What dies while the email is being sent, and how it comes back. */
const crashes: Array<[string, () => Promise<void>]> = [
  [
    "notification-service",
    async () => {
      await service?.kill("SIGKILL");
      await service?.start();
    },
  ],
  ["its daprd", () => sidecar.kill("SIGKILL").then(() => sidecar.restart())],
];

describe("exactly one email per occurrence across crashes", () => {
  test.each(crashes)(
    "SIGKILL of %s while the email is being sent: one email, one delivery after restart",
    async (_what, crashAndRestart) => {
      const held = mail.holdNextSend();
      const { email, reminder } = await reminderIn(2000);
      await held.arrived; // the send activity is talking to the provider right now
      // The provider finishes the request it has (as Resend would) while its sender is dead.
      const restarted = crashAndRestart();
      held.release();
      await restarted;

      await waitFor(
        "the delivery to complete",
        async () => (await deliveries(reminder.id))[0]?.status === "sent",
        {
          timeoutMs: 60_000,
          intervalMs: 200,
        },
      );
      const sent = mail.emails().filter((m) => m.to.includes(email));
      expect(sent).toHaveLength(1);
      expect(mail.acceptedSendsFor(sent[0]?.idempotencyKey ?? "")).toBe(1);
      expect(await deliveries(reminder.id)).toHaveLength(1);
    },
    90_000,
  );
});
