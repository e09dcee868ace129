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
 * (NUDGE_PORT_OFFSET + 250) and Kafka broker, placement, scheduler and sentry, a database of its
 * own on the test server — so the other suites never see it. As in the incident that prompted
 * supervision (every sidecar of a stack exiting within seconds), all five sidecars die at once,
 * with SIGKILL, together with two services, the scheduler and placement, while a reminder is
 * pending: it must still be emailed, once, and the stack must take new work.
 */
const BASE_OFFSET = Number(process.env.NUDGE_PORT_OFFSET ?? 0);
/** Offsets whose ports no other stack's default ports (offsets in steps of 1000) overlap. */
const OFFSETS = [250, 450, 650].map((extra) => BASE_OFFSET + extra);
let offset = OFFSETS[0] as number;
const port = (base: number) => base + offset;
const dir = join(cacheDir, "supervised-stack");
const SERVICES = [
  "task-api",
  "notification-service",
  "recurrence-service",
  "audit-service",
  "realtime-gateway",
];
const KILLED = [
  ...SERVICES.map((service) => `daprd-${service}`),
  "task-api",
  "notification-service",
  "scheduler",
  "placement",
];
const user = `supervised-${crypto.randomUUID()}`;
const email = `${user}@example.test`;
let env: Record<string, string | undefined>;
let dropDatabase: (() => Promise<void>) | undefined;
let token = "";
const killed = new Map<string, number>();

/** A fresh cache folder that shares the build artifacts by link (Dapr, Kafka's jars, Go, Bun …). */
function freshCache() {
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

/** A start that failed because something else on the machine holds one of the stack's ports. */
function portTaken(stderr: string): boolean {
  if (/port \d+ is taken/.test(stderr)) return true;
  const logs = join(dir, "logs");
  return readdirSync(logs).some((file) =>
    /address already in use/.test(readFileSync(join(logs, file), "utf8")),
  );
}

const pidOf = (name: string) => Number(readFileSync(join(dir, "run", `${name}.pid`), "utf8"));
const api = (path: string, init: RequestInit = {}) =>
  fetch(`http://127.0.0.1:${port(3000)}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers },
  });
const inbox = async () =>
  (await (await fetch(`http://127.0.0.1:${port(4010)}/emails`)).json()) as Array<{
    subject: string;
    receivedAt: number;
  }>;
const mailsAbout = async (title: string) => (await inbox()).filter((m) => m.subject.includes(title));

/** A task with one reminder, due `inMs` from now; returns when it is due. */
async function remind(title: string, inMs: number): Promise<number> {
  const task = await api("/tasks", { method: "POST", body: JSON.stringify({ title }) });
  expect(task.status).toBe(201);
  const { id } = (await task.json()) as { id: string };
  const at = Date.now() + inMs;
  const reminder = await api(`/tasks/${id}/reminders`, {
    method: "POST",
    body: JSON.stringify({ at: new Date(at).toISOString() }),
  });
  expect(reminder.status).toBe(201);
  return at;
}

/** The one email about `title`, once it has come; how late it came. */
async function emailedOnce(title: string, dueAt: number, timeoutMs: number): Promise<number> {
  const [mail] = await waitFor(
    `the email about "${title}"`,
    async () => {
      const mails = await mailsAbout(title);
      return mails.length > 0 && mails;
    },
    { timeoutMs },
  );
  return (mail as { receivedAt: number }).receivedAt - dueAt;
}

beforeAll(
  async () => {
    const stack = await testStack();
    const database = await createDatabase(stack.infra.databaseUrl, `nudge_supervised_${process.pid}`);
    dropDatabase = database.drop;
    for (const candidate of OFFSETS) {
      offset = candidate;
      freshCache();
      env = {
        ...process.env,
        NUDGE_CACHE: dir,
        NUDGE_PORT_OFFSET: String(offset),
        DATABASE_URL: database.url,
      };
      const up = await nudge(["up"], STARTUP_TIMEOUT_MS * 2);
      if (up.code === 0) break;
      const taken = portTaken(up.err);
      await nudge(["down"], 120_000);
      if (!taken || candidate === OFFSETS.at(-1))
        throw new Error(`./nudge up failed (${up.code}):\n${up.err.slice(-3000)}`);
      console.log(
        `supervision: a port of offset ${offset} is in use on this machine, trying the next offset`,
      );
    }
    token = (await nudge(["token", user])).out.trim();
    const preferences = await api("/me/preferences", { method: "PATCH", body: JSON.stringify({ email }) });
    expect(preferences.status).toBe(200);
  },
  STARTUP_TIMEOUT_MS * 6 + 120_000,
);

/** Whatever a failed `./nudge down` left running (its pid files): killed, so no test outlives the run. */
function killLeftovers() {
  const run = join(dir, "run");
  if (!existsSync(run)) return;
  // The supervisors first, so that none starts its program again.
  const files = readdirSync(run).filter((f) => /\.(supervisor|pid)$/.test(f));
  for (const file of files.sort(
    (a, b) => Number(b.endsWith(".supervisor")) - Number(a.endsWith(".supervisor")),
  )) {
    const pid = Number(readFileSync(join(run, file), "utf8"));
    try {
      process.kill(pid, "SIGKILL");
      console.log(`supervision: ${file} (pid ${pid}) was still running after ./nudge down; killed`);
    } catch {
      // already gone, as it should be
    }
  }
}

afterAll(async () => {
  if (env) await nudge(["down"], 120_000);
  killLeftovers();
  // Keep its logs where the other tests' are, for a failed run.
  if (existsSync(join(dir, "logs")))
    cpSync(join(dir, "logs"), join(testLogDir, "supervised-stack"), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  await dropDatabase?.();
}, 180_000);

describe("the local stack supervises what it starts", () => {
  test("every sidecar, two services, the scheduler and placement killed at once: a pending reminder is still emailed once, and new ones too", async () => {
    const dueBefore = await remind("Before the crash", 45_000);
    for (const name of KILLED) {
      killed.set(name, pidOf(name));
      process.kill(pidOf(name), "SIGKILL");
    }
    const killedAt = Date.now();

    // The reminder armed before the crash is delivered.
    const late = await emailedOnce("Before the crash", dueBefore, 150_000);
    console.log(
      `supervision: the reminder due ${Math.round((dueBefore - killedAt) / 1000)} s after the crash came ${late} ms after it was due`,
    );

    // The stack takes new work: a reminder set through the restarted task-api and its sidecar.
    await waitFor("task-api to be ready again", async () => (await api("/readyz")).status === 200, {
      timeoutMs: 60_000,
    });
    const dueAfter = await remind("After the crash", 10_000);
    const lateAfter = await emailedOnce("After the crash", dueAfter, 120_000);
    console.log(`supervision: a reminder set after the restarts came ${lateAfter} ms after it was due`);

    await Bun.sleep(3_000); // a duplicate would come from a retried trigger within seconds
    expect((await mailsAbout("Before the crash")).length).toBe(1);
    expect((await mailsAbout("After the crash")).length).toBe(1);
  }, 420_000);

  test("each restart is counted in ./nudge status and logged in supervisor.log", async () => {
    const { out } = await nudge(["status"]);
    const lines = out.split("\n").map((line) => line.trim());
    for (const name of KILLED) {
      const line = lines.find((l) => l.startsWith(`${name} `)) ?? `${name}: no line`;
      expect(line).toMatch(/^\S+\s+running \(pid \d+\), restarted 1× \(last at .*, after exit status 137\)$/);
      // A new life: the pid shown is the one running now, not the one killed.
      expect(line).toContain(`(pid ${pidOf(name)})`);
      expect(pidOf(name)).not.toBe(killed.get(name) as number);
    }
    // The ones nobody killed were never restarted.
    for (const name of [
      "kafka",
      "sentry",
      "mail-capture",
      "recurrence-service",
      "audit-service",
      "realtime-gateway",
    ])
      expect(lines.find((l) => l.startsWith(`${name} `))).toMatch(/^\S+\s+running \(pid \d+\)$/);
    expect(out).toContain(`restarts are logged in ${join(realpathSync(dir), "logs", "supervisor.log")}`);
    const supervisorLog = readFileSync(join(dir, "logs", "supervisor.log"), "utf8");
    for (const name of KILLED)
      expect(supervisorLog).toMatch(
        new RegExp(`supervisor: ${name} exited with status 137 after \\d+s; restart #1 in 1s`),
      );
  });

  test("./nudge down stops the supervisors too: nothing comes back, and the counts go with them", async () => {
    const pids = KILLED.map(pidOf);
    const down = await nudge(["down"], 120_000);
    expect(down.code).toBe(0);
    await Bun.sleep(3_000); // longer than the first restart's backoff
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    const { out } = await nudge(["status"]);
    for (const name of KILLED) expect(out).toMatch(new RegExp(`${name}\\s+stopped\\n`));
  }, 150_000);
});
