/**
 * The load generator, spawned once per measurement. It runs in its own process, not in the
 * server's: JSON encoding, fetch and timers on a shared event loop would queue behind the
 * server's work, and client time would be counted as server latency.
 */
import { percentile } from "./stats.ts";

export interface LoadPlan {
  baseUrl: string;
  /** Requests in flight at once, each from its own keep-alive connection. */
  concurrency: number;
  requests: number;
  /** `create`: POST /tasks with a fresh body; `read`: GET `path`. */
  kind: "create" | "read";
  path: string;
  /** Request i is made by the user of tokens[i % tokens.length]. */
  tokens: string[];
}

export interface LoadResult {
  requests: number;
  failures: number;
  firstFailure: string | null;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** What a client sends to create a task: a title, two tags and a due date, like the app does. */
function taskBody(i: number): string {
  return JSON.stringify({
    title: `Prepare quarterly report ${i}`,
    tags: [`tag-${i % 8}`, `tag-${(i + 3) % 8}`],
    dueAt: new Date(Date.now() + ((i % 720) + 1) * 3_600_000).toISOString(),
  });
}

export async function generateLoad(plan: LoadPlan): Promise<LoadResult> {
  const url = `${plan.baseUrl}${plan.path}`;
  const expected = plan.kind === "create" ? 201 : 200;
  const latencies = new Float64Array(plan.requests);
  let next = 0;
  let failures = 0;
  let firstFailure: string | null = null;

  // Each worker awaits its response before sending the next, so `concurrency` is exact.
  // Bun's fetch keeps connections alive and reuses them, as a browser or gateway would.
  async function worker() {
    for (let i = next++; i < plan.requests; i = next++) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${plan.tokens[i % plan.tokens.length]}`,
      };
      let body: string | undefined;
      if (plan.kind === "create") {
        body = taskBody(i);
        headers["content-type"] = "application/json";
      }
      const began = performance.now();
      const response = await fetch(url, { method: plan.kind === "create" ? "POST" : "GET", headers, body });
      const text = await response.text();
      latencies[i] = performance.now() - began;
      if (response.status !== expected) {
        failures++;
        firstFailure ??= `${response.status} ${text.slice(0, 300)}`;
      }
    }
  }

  const began = performance.now();
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.requests) }, worker));
  const seconds = (performance.now() - began) / 1000;
  latencies.sort();
  return {
    requests: plan.requests,
    failures,
    firstFailure,
    seconds,
    perSecond: plan.requests / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

if (import.meta.main) {
  const plan = (await Bun.stdin.json()) as LoadPlan;
  process.stdout.write(`${JSON.stringify(await generateLoad(plan))}\n`);
  process.exit(0);
}
