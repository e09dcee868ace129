/**
 * The images' executables do the real work, not only /healthz: task-api, notification-service,
 * recurrence-service and the capture inbox run as compiled binaries (as in the minikube overlay),
 * each app with a real daprd. A reminder created through the API arrives in the inbox, and a
 * completed recurring task gets its next occurrence. This is where a bundling problem in gRPC,
 * Dapr Workflow or the Jobs API would show before any cluster does.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  STARTUP_TIMEOUT_MS,
  sidecarPorts,
  TEARDOWN_TIMEOUT_MS,
  testStack,
  waitFor,
} from "@nudge/testing";
import { SignJWT } from "jose";
import { buildDir, compileAll } from "./executables.ts";

const JWT = {
  secret: "deploy-e2e-secret-0123456789abcdef01234",
  issuer: "nudge-deploy-test",
  audience: "nudge-api",
};
const APP_API_TOKEN = "deploy-e2e-app-token-0123456789";
const EMAIL_LINK_KEY = "deploy-e2e-email-link-key-0123456789abc";
const children: Bun.Subprocess[] = [];
const sidecars: RunningSidecar[] = [];
let api = "";
let inbox = "";

function start(name: string, path: string, env: Record<string, string>) {
  const child = Bun.spawn([path], {
    cwd: buildDir,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdout: Bun.file(join(buildDir, `${name}.log`)),
    stderr: Bun.file(join(buildDir, `${name}.err.log`)),
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  const stack = await testStack();
  const built = await compileAll(["task-api", "notification-service", "recurrence-service", "mail-capture"]);
  const path = (name: string) => built.get(name)?.path ?? "";
  const common = { DATABASE_URL: stack.databaseUrl, APP_API_TOKEN, HOST: "127.0.0.1" };
  for (const service of ["task-api", "notification-service"]) {
    const migrated = Bun.spawnSync([path(service), "migrate"], {
      env: { ...common, ...JWT_ENV(), RESEND_API_KEY: "re_e2e", PATH: process.env.PATH ?? "" },
    });
    if (migrated.exitCode !== 0) throw new Error(`${service} migrate failed: ${migrated.stderr}`);
  }

  const mailPort = await freePort();
  start("mail-capture", path("mail-capture"), { PORT: String(mailPort), HOST: "127.0.0.1" });
  inbox = `http://127.0.0.1:${mailPort}`;

  const apiPort = await freePort();
  const apiSidecar = await sidecarPorts();
  start("task-api", path("task-api"), {
    ...common,
    ...JWT_ENV(),
    PORT: String(apiPort),
    DAPR_HTTP_PORT: String(apiSidecar.httpPort),
    DAPR_GRPC_PORT: String(apiSidecar.grpcPort),
    OUTBOX_POLL_MS: "500",
  });
  sidecars.push(
    await stack.sidecar({ appId: "task-api", appPort: apiPort, ports: apiSidecar, env: { APP_API_TOKEN } }),
  );
  api = `http://127.0.0.1:${apiPort}`;

  const notifyPort = await freePort();
  const notifySidecar = await sidecarPorts();
  start("notification-service", path("notification-service"), {
    ...common,
    PORT: String(notifyPort),
    DAPR_HTTP_PORT: String(notifySidecar.httpPort),
    DAPR_GRPC_PORT: String(notifySidecar.grpcPort),
    RESEND_API_KEY: "re_e2e",
    RESEND_BASE_URL: inbox,
    SEND_FIRST_RETRY_MS: "200",
  });
  sidecars.push(
    await stack.sidecar({
      appId: "notification-service",
      appPort: notifyPort,
      ports: notifySidecar,
      resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
      env: { APP_API_TOKEN },
    }),
  );
  const recurrencePort = await freePort();
  const recurrenceSidecar = await sidecarPorts();
  start("recurrence-service", path("recurrence-service"), {
    APP_API_TOKEN,
    HOST: "127.0.0.1",
    PORT: String(recurrencePort),
    DAPR_HTTP_PORT: String(recurrenceSidecar.httpPort),
    DAPR_GRPC_PORT: String(recurrenceSidecar.grpcPort),
  });
  sidecars.push(
    await stack.sidecar({
      appId: "recurrence-service",
      appPort: recurrencePort,
      ports: recurrenceSidecar,
      resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
      env: { APP_API_TOKEN },
    }),
  );
  const ready = [
    `${api}/readyz`,
    `http://127.0.0.1:${notifyPort}/readyz`,
    `http://127.0.0.1:${recurrencePort}/readyz`,
  ];
  for (const url of ready) {
    await waitFor(`${url} to report ready`, async () => (await fetch(url)).ok, { timeoutMs: 60_000 });
  }
}, STARTUP_TIMEOUT_MS);

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => child.exited));
  for (const sidecar of sidecars) await sidecar.stop();
}, TEARDOWN_TIMEOUT_MS);

function JWT_ENV() {
  return { JWT_SECRET: JWT.secret, JWT_ISSUER: JWT.issuer, JWT_AUDIENCE: JWT.audience, EMAIL_LINK_KEY };
}

async function call<T = unknown>(method: string, path: string, user: string, body?: unknown): Promise<T> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setIssuer(JWT.issuer)
    .setAudience(JWT.audience)
    .setExpirationTime("10m")
    .sign(new TextEncoder().encode(JWT.secret));
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

test("a reminder created through the compiled task-api is emailed by the compiled notification-service", async () => {
  const user = `deploy-${crypto.randomUUID()}`;
  const email = `${user}@example.com`;
  await call("PATCH", "/me/preferences", user, { email });
  const task = await call<{ id: string }>("POST", "/tasks", user, {
    title: "Ship the images",
    dueAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  await call("POST", `/tasks/${task.id}/reminders`, user, { at: new Date(Date.now() + 2000).toISOString() });

  // Generous: after other suites stopped sidecars of the same app-ids, the consumer group and
  // actor placement take a while to settle (tests/notification-service/fixture.ts).
  const mail = await waitFor(
    "the reminder email in the capture inbox",
    async () => {
      const emails = (await (await fetch(`${inbox}/emails`)).json()) as Array<{
        to: string | string[];
        subject: string;
      }>;
      return emails.find((m) => [m.to].flat().includes(email));
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  expect(mail.subject).toStartWith("Reminder: Ship the images (due ");
}, 150_000);

test("completing a recurring task through the compiled task-api makes the compiled recurrence-service create the next one", async () => {
  const user = `deploy-${crypto.randomUUID()}`;
  const task = await call<{ id: string }>("POST", "/tasks", user, {
    title: "Water the plants",
    dueAt: new Date(Date.now() + 3_600_000).toISOString(),
    timeZone: "Europe/Berlin",
    recurrence: "every day",
  });
  await call("POST", `/tasks/${task.id}/complete`, user);
  const next = await waitFor(
    "the next occurrence to be listed",
    async () => {
      const page = await call<{ items: Array<{ id: string; title: string }> }>(
        "GET",
        "/tasks?status=open",
        user,
      );
      return page.items[0];
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  expect(next.title).toBe("Water the plants");
  expect(next.id).not.toBe(task.id);
}, 150_000);
