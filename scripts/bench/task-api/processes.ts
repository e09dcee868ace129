import { join } from "node:path";
import { freePort } from "../../../packages/testing/src/ports.ts";
import { waitFor } from "../../../packages/testing/src/wait.ts";
import type { LoadPlan, LoadResult } from "./load.ts";
import { BENCH_JWT } from "./tokens.ts";

const SERVER_SCRIPT = join(import.meta.dir, "server.ts");
const LOAD_SCRIPT = join(import.meta.dir, "load.ts");

export interface BenchServer {
  baseUrl: string;
  pid: number;
  /** Resident set size in KiB from /proc, or null where there is no /proc. */
  rssKib(): Promise<number | null>;
  stop(): Promise<void>;
}

/** Start the server process (server.ts) on a free port and wait until it answers /healthz. */
export async function startServer(databaseUrl: string, poolMax: number): Promise<BenchServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = Bun.spawn([process.execPath, SERVER_SCRIPT], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl,
      DB_SCHEMA: "task_api",
      DB_POOL_MAX: String(poolMax),
      JWT_SECRET: BENCH_JWT.secret,
      JWT_ISSUER: BENCH_JWT.issuer,
      JWT_AUDIENCE: BENCH_JWT.audience,
      PUBLIC_BASE_URL: baseUrl,
      EMAIL_LINK_KEY: "bench-email-link-key-0123456789abcdefgh",
      LOG_LEVEL: "warn",
    },
    stdout: "inherit",
    stderr: "inherit",
  });
  const answering = waitFor("the task-api bench server to answer /healthz", async () => {
    return (await fetch(`${baseUrl}/healthz`)).ok;
  });
  let answered = false;
  const crashed = child.exited.then((code) => {
    if (!answered) throw new Error(`the task-api bench server exited with code ${code} before answering`);
  });
  await Promise.race([answering, crashed]);
  answered = true;
  return {
    baseUrl,
    pid: child.pid,
    async rssKib() {
      const status = await Bun.file(`/proc/${child.pid}/status`)
        .text()
        .catch(() => "");
      const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
      return match ? Number(match[1]) : null;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const stopped = await Promise.race([
        child.exited.then(() => true),
        Bun.sleep(10_000).then(() => false),
      ]);
      if (!stopped) child.kill("SIGKILL");
    },
  };
}

/** Run one measurement in a fresh load-generator process (load.ts) and return what it measured. */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const child = Bun.spawn([process.execPath, LOAD_SCRIPT], {
    stdin: new TextEncoder().encode(JSON.stringify(plan)),
    stdout: "pipe",
    stderr: "inherit",
  });
  const output = await new Response(child.stdout).text();
  const code = await child.exited;
  if (code !== 0) throw new Error(`load generator exited with code ${code}: ${output.slice(0, 500)}`);
  return JSON.parse(output) as LoadResult;
}
