import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { repoRoot, STARTUP_TIMEOUT_MS, testStack, waitFor } from "@nudge/testing";
import { createDatabase } from "../../packages/testing/src/infra.ts";
import { cacheDir, testLogDir } from "../../packages/testing/src/paths.ts";

/**
 * `./nudge up` supervises what it starts. A whole local stack of its own — its own cache, ports
 * (NUDGE_PORT_OFFSET + 250) and Kafka broker, a database of its own on the test server — so the
 * other suites never see it; its sidecar, service and scheduler are killed with SIGKILL while a
 * reminder is pending, and the reminder must still be emailed, once.
 */
const OFFSET = Number(process.env.NUDGE_PORT_OFFSET ?? 0) + 250;
const port = (base: number) => base + OFFSET;
const dir = join(cacheDir, "supervised-stack");
const KILLED = ["daprd-notification-service", "notification-service", "scheduler"];
const user = `supervised-${crypto.randomUUID()}`;
const email = `${user}@example.test`;
let env: Record<string, string | undefined>;
let dropDatabase: (() => Promise<void>) | undefined;
let token = "";

/** The build artifacts of the cache, shared by link (Dapr, Kafka's jars, Go, Bun, tools …). */
function linkBuilds() {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const builds = /^(\.dapr|go|m2|npm|pip|src|tools|bun-install|kafka-.*)$/;
  for (const entry of readdirSync(cacheDir)) {
    if (builds.test(entry)) symlinkSync(realpathSync(join(cacheDir, entry)), join(dir, entry));
  }
}

async function nudge(args: string[], timeoutMs = 60_000) {
  const child = Bun.spawn([join(repoRoot, "nudge"), ...args], {
    cwd: repoRoot,
    env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, out, err };
}

const pidOf = (name: string) => Number(readFileSync(join(dir, "run", `${name}.pid`), "utf8"));
const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${port(3000)}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });
const inbox = async () =>
  (await (await fetch(`http://127.0.0.1:${port(4010)}/emails`)).json()) as Array<{
    to: string[] | string;
    subject: string;
  }>;
const mailsAbout = async (title: string) => (await inbox()).filter((m) => m.subject.includes(title));

async function remind(title: string, inMs: number) {
  const task = await api("/tasks", { method: "POST", body: JSON.stringify({ title }) });
  expect(task.status).toBe(201);
  const { id } = (await task.json()) as { id: string };
  const reminder = await api(`/tasks/${id}/reminders`, {
    method: "POST",
    body: JSON.stringify({ at: new Date(Date.now() + inMs).toISOString() }),
  });
  expect(reminder.status).toBe(201);
}

beforeAll(
  async () => {
    const stack = await testStack();
    const database = await createDatabase(stack.infra.databaseUrl, `nudge_supervised_${process.pid}`);
    dropDatabase = database.drop;
    linkBuilds();
    env = {
      ...process.env,
      NUDGE_CACHE: dir,
      NUDGE_PORT_OFFSET: String(OFFSET),
      DATABASE_URL: database.url,
    };
    const up = await nudge(["up"], STARTUP_TIMEOUT_MS * 2);
    if (up.code !== 0) throw new Error(`./nudge up failed (${up.code}):\n${up.err.slice(-3000)}`);
    token = (await nudge(["token", user])).out.trim();
    const preferences = await api("/me/preferences", { method: "PATCH", body: JSON.stringify({ email }) });
    expect(preferences.status).toBe(200);
  },
  STARTUP_TIMEOUT_MS * 2 + 30_000,
);

afterAll(async () => {
  if (env) await nudge(["down"], 120_000);
  // Keep its logs where the other tests' are, for a failed run.
  if (existsSync(join(dir, "logs")))
    cpSync(join(dir, "logs"), join(testLogDir, "supervised-stack"), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase?.();
}, 180_000);

describe("the local stack supervises what it starts", () => {
  test("a killed sidecar, service and scheduler are restarted, counted and logged, and a pending reminder is still emailed once", async () => {
    await remind("Before the crash", 45_000);
    for (const name of KILLED) process.kill(pidOf(name), "SIGKILL");
    const killedAt = Date.now();

    // Each is restarted by its supervisor; ./nudge status says so.
    const status = await waitFor(
      "the killed processes to run again, restarted once",
      async () => {
        const { out } = await nudge(["status"]);
        const lines = out.split("\n");
        const ok = KILLED.every((name) =>
          lines.some(
            (line) => line.trim().startsWith(`${name} `) && /running \(pid \d+\), restarted 1×/.test(line),
          ),
        );
        return ok && out;
      },
      { timeoutMs: 90_000 },
    );
    console.log(`supervision: all three running again ${Date.now() - killedAt} ms after SIGKILL`);
    expect(status).toContain("restarts are logged in");
    const supervisorLog = readFileSync(join(dir, "logs", "supervisor.log"), "utf8");
    for (const name of KILLED)
      expect(supervisorLog).toMatch(new RegExp(`supervisor: ${name} exited with status 137 .* restart #1`));

    // The reminder armed before the crash is delivered, once.
    await waitFor(
      "the reminder from before the crash",
      async () => (await mailsAbout("Before the crash")).length > 0,
      {
        timeoutMs: 120_000,
      },
    );
    // And the restarted path takes new work.
    await remind("After the crash", 10_000);
    await waitFor(
      "the reminder from after the crash",
      async () => (await mailsAbout("After the crash")).length > 0,
      {
        timeoutMs: 90_000,
      },
    );
    await Bun.sleep(3_000); // a duplicate would come from a retried trigger within seconds
    expect((await mailsAbout("Before the crash")).length).toBe(1);
    expect((await mailsAbout("After the crash")).length).toBe(1);
  }, 360_000);

  test("./nudge down stops the supervisors too: nothing comes back", async () => {
    const pids = KILLED.map(pidOf);
    const down = await nudge(["down"], 120_000);
    expect(down.code).toBe(0);
    await Bun.sleep(3_000); // longer than the first restart's backoff
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    const { out } = await nudge(["status"]);
    for (const name of KILLED) expect(out).toMatch(new RegExp(`${name}\\s+stopped`));
  }, 150_000);
});
