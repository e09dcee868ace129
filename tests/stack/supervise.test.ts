import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, waitFor } from "@nudge/testing";
import { cacheDir } from "../../packages/testing/src/paths.ts";

/**
 * scripts/stack/supervise.sh, the supervisor every process of `./nudge up` runs under, driven with
 * small shell programs whose lives it records: when it restarts, after which pause, what it
 * counts and logs, and that a stop is a stop. (tests/stack/supervision.test.ts kills a whole
 * stack's processes; this shows the rules that stack relies on.)
 */
const root = join(cacheDir, "test-resources", `supervise-${process.pid}`);
const supervisors: Supervised[] = [];
// A supervisor that does not stop when told (the defect some of these tests look for) must not
// outlive the run, nor keep its program going.
afterAll(() => {
  for (const s of supervisors) {
    const pid = s.pid();
    s.process.kill("SIGKILL");
    if (pid && alive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(root, { recursive: true, force: true });
});

interface Supervised {
  dir: string;
  process: ReturnType<typeof Bun.spawn>;
  /** The times (ms) at which the program was started, one per life. */
  starts(): number[];
  supervisorLog(): string;
  restartsFile(): string | undefined;
  pid(): number | undefined;
}

/** Runs `script` (sh) under supervise.sh as NAME; the script sees $LIVES, its life's number. */
function supervise(name: string, script: string, env: Record<string, string> = {}): Supervised {
  const dir = join(root, name);
  mkdirSync(join(dir, "run"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const starts = join(dir, "starts");
  const program = `date +%s%3N >> "${starts}"; LIVES=$(wc -l < "${starts}"); ${script}`;
  const process = Bun.spawn(
    [
      join(repoRoot, "scripts/stack/supervise.sh"),
      name,
      join(dir, "logs", `${name}.log`),
      "sh",
      "-c",
      program,
    ],
    {
      env: { ...Bun.env, RUN_DIR: join(dir, "run"), LOG_DIR: join(dir, "logs"), ...env },
      stdout: "ignore",
      stderr: "ignore",
    },
  );
  const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
  const supervised: Supervised = {
    dir,
    process,
    starts: () => (read(starts) ?? "").trim().split("\n").filter(Boolean).map(Number),
    supervisorLog: () => read(join(dir, "logs", "supervisor.log")) ?? "",
    restartsFile: () => read(join(dir, "run", `${name}.restarts`)),
    pid: () => {
      const text = read(join(dir, "run", `${name}.pid`));
      return text ? Number(text) : undefined;
    },
  };
  supervisors.push(supervised);
  return supervised;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The supervisor's exit status once it has stopped; a failure if it does not within 10 s. */
async function stopped(s: Supervised): Promise<number> {
  const timeout = Bun.sleep(10_000).then(() => "still running" as const);
  const status = await Promise.race([s.process.exited, timeout]);
  if (status === "still running") throw new Error("the supervisor did not stop within 10 s of SIGTERM");
  return status;
}

describe("the stack's supervisor", () => {
  test("restarts a program that keeps exiting after 1 s, 2 s, 4 s … up to its limit, and back to 1 s once it ran long enough", async () => {
    // Four quick deaths, then a life of 3 s (longer than "stable"), then quick deaths again.
    const s = supervise("crashing", 'if [ "$LIVES" = 5 ]; then sleep 3; fi; exit 3', {
      SUPERVISE_MAX_BACKOFF_S: "4",
      SUPERVISE_STABLE_AFTER_S: "2",
    });
    await waitFor("seven lives", () => s.starts().length >= 7, { timeoutMs: 60_000 });
    s.process.kill("SIGTERM");
    await stopped(s);

    const pauses = [...s.supervisorLog().matchAll(/restart #(\d+) in (\d+)s/g)].map((m) => Number(m[2]));
    // 1, 2, 4, then held at the limit (4, not 8), then 1 again after the long life.
    expect(pauses.slice(0, 6)).toEqual([1, 2, 4, 4, 1, 2]);
    // And it really waits that long between two lives.
    const starts = s.starts();
    const gaps = starts.slice(1).map((start, i) => start - (starts[i] as number));
    for (const [i, pause] of [1, 2, 4, 4].entries()) expect(gaps[i]).toBeGreaterThanOrEqual(pause * 1000);
    expect(gaps[4]).toBeGreaterThanOrEqual(3000 + 1000); // the 3 s life, then 1 s
    expect(s.supervisorLog()).toMatch(/supervisor: crashing exited with status 3 after 0s; restart #1 in 1s/);
    expect(s.supervisorLog()).toMatch(/supervisor: crashing exited with status 3 after 3s; restart #5 in 1s/);
  }, 90_000);

  test("counts each restart with its time and exit status, in the file ./nudge status reads", async () => {
    const s = supervise("killed", "exec sleep 600");
    const first = await waitFor("the first life", () => s.pid());
    expect(s.restartsFile()).toBeUndefined(); // never restarted yet
    process.kill(first, "SIGKILL");
    const second = await waitFor("the second life", () => s.pid() !== first && s.pid());
    expect(s.restartsFile()).toMatch(/^1 \d{4}-\d\d-\d\dT\S+ 137\n$/);
    process.kill(second, "SIGKILL");
    const third = await waitFor("the third life", () => s.pid() !== second && s.pid());
    expect(s.restartsFile()).toMatch(/^2 \S+ 137\n$/);
    s.process.kill("SIGTERM");
    await stopped(s);
    expect(alive(third)).toBe(false);
  }, 30_000);

  test("a stop is a stop: the program gets TERM, is not restarted, and the pid file goes", async () => {
    const signals = join(root, "stopped.signals");
    const s = supervise(
      "stopped",
      `trap 'echo TERM >> "${signals}"; kill $!; exit 0' TERM; sleep 600 & wait`,
    );
    const pid = await waitFor("the program", () => s.pid());
    await Bun.sleep(500); // its trap is set
    s.process.kill("SIGTERM");
    expect(await stopped(s)).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(signals, "utf8")).toBe("TERM\n");
    expect(s.starts()).toHaveLength(1);
    expect(s.restartsFile()).toBeUndefined();
    expect(existsSync(join(s.dir, "run", "stopped.pid"))).toBe(false);
    expect(readFileSync(join(s.dir, "logs", "stopped.log"), "utf8")).not.toContain("restart #");
  }, 30_000);

  test("SUPERVISE_STOP_SIGNAL chooses the signal a stop sends (INT: PostgreSQL's fast shutdown)", async () => {
    const signals = join(root, "interrupted.signals");
    // A program that handles INT itself, as the postmaster does (a shell could not: a background
    // job of a script starts with INT ignored).
    const python = `import signal, sys, time
def stop(number, frame):
    open("${signals}", "a").write(signal.Signals(number).name + "\\n")
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
time.sleep(600)`;
    const s = supervise("interrupted", `exec python3 -c '${python}'`, { SUPERVISE_STOP_SIGNAL: "INT" });
    const pid = await waitFor("the program", () => s.pid());
    await Bun.sleep(1_000); // its handlers are installed
    s.process.kill("SIGTERM");
    expect(await stopped(s)).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(readFileSync(signals, "utf8")).toBe("SIGINT\n");
    expect(s.starts()).toHaveLength(1);
  }, 30_000);

  test("a stop during the pause before a restart ends the pause: the program does not come back", async () => {
    const s = supervise("pausing", "exit 1", { SUPERVISE_MAX_BACKOFF_S: "30" });
    await waitFor("the fourth pause", () => /restart #4 in 8s/.test(s.supervisorLog()), {
      timeoutMs: 30_000,
    });
    const stoppedAt = Date.now();
    s.process.kill("SIGTERM");
    await stopped(s);
    expect(Date.now() - stoppedAt).toBeLessThan(4_000); // it did not sit out its 8 s pause
    const lives = s.starts().length;
    await Bun.sleep(3_000);
    expect(s.starts()).toHaveLength(lives);
  }, 45_000);
});
