import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type RunningSidecar,
  repoRoot,
  STARTUP_TIMEOUT_MS,
  TEARDOWN_TIMEOUT_MS,
  type TestStack,
  testStack,
  waitFor,
} from "@nudge/testing";

/**
 * What dapr/config.yaml protects the sidecars from, shown with real daprd 1.18 processes: the
 * SQLite name resolver's clean-up, which deletes the live hosts and makes every sidecar exit, and
 * hot reload, which logs an error a minute about the actor state store. Each case runs the
 * project's configuration beside a copy with only that one setting changed back to Dapr's
 * default, so the test shows both that the default is harmful and that our setting removes it.
 */
let stack: TestStack;
const dir = join(repoRoot, ".cache", "test-resources", `sidecar-configuration-${process.pid}`);
const started: RunningSidecar[] = [];

beforeAll(async () => {
  stack = await testStack();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}, STARTUP_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all(started.map((sidecar) => sidecar.stop()));
  app.stop(true);
  rmSync(dir, { recursive: true, force: true });
}, TEARDOWN_TIMEOUT_MS);

const project = () => readFileSync(join(repoRoot, "dapr", "config.yaml"), "utf8");

/** The project's configuration with `from` replaced by `to` (which must be there to replace). */
function variant(name: string, from: string | RegExp, to: string): string {
  const text = project().replace(from, to);
  if (text === project()) throw new Error(`dapr/config.yaml no longer has ${from}`);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

const alive = (sidecar: RunningSidecar) => {
  try {
    return sidecar.pid !== undefined && process.kill(sidecar.pid, 0);
  } catch {
    return false;
  }
};
const logOf = (sidecar: RunningSidecar) => readFileSync(sidecar.logFile, "utf8");
/** The resolver's own clean-up (the state store has one too, which is harmless). */
const RESOLVER_CLEANUP = /Schedule expired data clean up[^\n]*component="nr \(sqlite\/v1\)"/;

const app = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("reached the app") });

/** Two sidecars sharing a name-resolution file of their own, as the apps of one stack do. */
async function pair(name: string, configPath?: string): Promise<RunningSidecar[]> {
  const env = { NUDGE_NAME_RESOLUTION_DB: join(dir, `${name}.db`) };
  const sidecars = await Promise.all(
    ["a", "b"].map((id) =>
      stack.sidecar({ appId: `${name}-${id}`, logName: `${name}-${id}`, appPort: app.port, env, configPath }),
    ),
  );
  started.push(...sidecars);
  return sidecars;
}

describe("SQLite name resolution", () => {
  test("Dapr's default clean-up deletes the hosts that are alive: every sidecar exits with 'Host registration lost'", async () => {
    // Dapr's default is hourly; the same clean-up every 6 s shows what happens on the hour.
    const config = variant("nr-cleanup", 'cleanupInterval: "0"', "cleanupInterval: 6s");
    const sidecars = await pair("nr-cleanup", config);
    await waitFor("both sidecars to exit", async () => sidecars.every((s) => !alive(s)), {
      timeoutMs: 30_000,
    });
    for (const sidecar of sidecars) {
      expect(logOf(sidecar)).toMatch(RESOLVER_CLEANUP);
      expect(logOf(sidecar)).toContain("Host registration lost");
    }
  }, 60_000);

  test("with the project's settings, sidecars outlive many such clean-ups and a 12 s stall, and still find each other", async () => {
    const [caller, callee] = (await pair("nr-project")) as [RunningSidecar, RunningSidecar];
    process.kill(callee.pid as number, "SIGSTOP");
    await Bun.sleep(12_000);
    process.kill(callee.pid as number, "SIGCONT");
    // No one may invoke the callee (access control): a 403 from its policy means the name was
    // resolved and the call reached the callee's sidecar; an unresolvable name is a 500.
    const reached = await waitFor(
      "the caller to reach the callee's sidecar",
      async () => {
        const response = await fetch(`${caller.httpUrl}/v1.0/invoke/${callee.appId}/method/anything`);
        return response.status === 403 && (await response.text()).includes("access control policy");
      },
      { timeoutMs: 10_000 },
    );
    expect(reached).toBe(true);
    for (const sidecar of [caller, callee]) {
      expect(alive(sidecar)).toBe(true);
      expect(logOf(sidecar)).not.toContain("Host registration lost");
      expect(logOf(sidecar)).not.toMatch(RESOLVER_CLEANUP);
    }
  }, 60_000);
});

describe("hot reload", () => {
  /** A sidecar over the project's components plus a folder of our own, which we then touch. */
  async function touched(name: string, configPath?: string): Promise<string> {
    const extra = join(dir, `${name}-resources`);
    mkdirSync(extra, { recursive: true });
    writeFileSync(join(extra, "touched.yaml"), "# a resource file that changes\n");
    const sidecar = await stack.sidecar({ appId: name, logName: name, resourcesPaths: [extra], configPath });
    started.push(sidecar);
    appendFileSync(join(extra, "touched.yaml"), "# changed\n");
    // The reload runs on the file event; give it the time it takes on a loaded machine.
    await Bun.sleep(5_000);
    return logOf(sidecar);
  }

  test("Dapr's default (on) tries to reload the actor state store on every change, and refuses with an error", async () => {
    const config = variant(
      "hot-reload-on",
      /features:\n(\s+- name: HotReload\n\s+enabled: false\n)/,
      "features: []\n",
    );
    expect(await touched("hot-reload-on", config)).toContain(
      "Aborting to hot-reload a state store component that is used as an actor state store",
    );
  }, 60_000);

  test("with the project's settings nothing is reloaded and no such error is logged", async () => {
    const log = await touched("hot-reload-off");
    expect(log).not.toContain("Aborting to hot-reload");
    expect(log).not.toMatch(/Enabled features: [^"]*HotReload/);
  }, 60_000);
});
