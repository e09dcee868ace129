/**
 * `bun run bench realtime`: commit in task-api → message on a WebSocket client, p50/p99, at a
 * steady write rate with many clients connected; and the gateway's memory per idle connection.
 * The gateway runs in its own process with its own daprd; task-api, its relay and the clients run
 * in this one. Prints numbers, no verdicts.
 */
import { stopTestStack, testStack } from "../../packages/testing/src/index.ts";
import { startTaskApi, tokenFor } from "../../tests/task-api/fixture.ts";
import { benchFlags } from "./common/flags.ts";
import { residentKib, startGatewayProcess } from "./realtime/gateway-process.ts";
import { useLocalStack } from "./reminders/options.ts";
import { startSampler } from "./reminders/sampler.ts";
import { count } from "./task-api/options.ts";
import { fixed, loadAverage, mib, table } from "./task-api/report.ts";
import { percentile } from "./task-api/stats.ts";

const USAGE = `bun run bench realtime [--clients 1000] [--rate 200] [--seconds 20]
  --clients   WebSocket clients connected during the run (two per user)
  --rate      task writes per second through task-api (each by a random user)
  --seconds   how long writes are driven

Needs the local stack (./nudge up --infra): DATABASE_URL, KAFKA_BROKERS and DAPR_BIN_DIR are
taken from the environment, else from ./nudge env.`;

function parse(args: string[]) {
  const values = benchFlags(args, { values: ["clients", "rate", "seconds"] });
  if (values.help) return console.log(USAGE);
  return {
    clients: count("--clients", values.clients, 1000),
    rate: count("--rate", values.rate, 200),
    seconds: count("--seconds", values.seconds, 20),
  };
}

/** When each task's creation reached each connection (performance.now()). */
type Arrivals = Map<string, number[]>;

async function connect(url: string, user: string, arrivals: Arrivals): Promise<WebSocket> {
  const ws = new WebSocket(url, ["nudge.v1", `bearer.${await tokenFor(user, { expiresIn: "2h" })}`]);
  ws.onmessage = (event) => {
    const at = performance.now();
    const frame = JSON.parse(String(event.data)) as { type: string; data?: { taskId: string } };
    if (frame.type !== "task.changed" || !frame.data) return;
    const seen = arrivals.get(frame.data.taskId);
    if (seen) seen.push(at);
    else arrivals.set(frame.data.taskId, [at]);
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`connecting ${user} failed`));
  });
  return ws;
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!options) return;
  useLocalStack();
  console.log(
    `realtime: ${options.clients} WebSocket clients, ${options.rate} writes/s for ${options.seconds} s`,
  );
  console.log(`load average at start: ${loadAverage()} (other work on this machine shows in every number)`);
  const stack = await testStack();
  const api = await startTaskApi();
  const gateway = await startGatewayProcess(api, stack);
  const sockets: WebSocket[] = [];
  try {
    // Memory per idle connection: the gateway's RSS before and after the clients connect.
    await Bun.sleep(2000);
    const before = await residentKib(gateway.pid);
    const users = Array.from(
      { length: Math.ceil(options.clients / 2) },
      () => `bench-${crypto.randomUUID()}`,
    );
    const arrivals: Arrivals = new Map();
    for (let i = 0; i < options.clients; i += 50) {
      const batch = Array.from({ length: Math.min(50, options.clients - i) }, (_, k) =>
        connect(gateway.wsUrl, users[(i + k) % users.length] as string, arrivals),
      );
      sockets.push(...(await Promise.all(batch)));
    }
    await Bun.sleep(3000);
    const idle = await residentKib(gateway.pid);
    console.log(
      `gateway memory: ${mib(before)} before, ${mib(idle)} with ${options.clients} idle connections → ` +
        `${fixed(((idle - before) * 1024) / options.clients / 1024, 1)} KiB per connection (RSS delta; GC timing adds noise)`,
    );

    const sampler = startSampler([
      { label: "realtime-gateway", pid: gateway.pid },
      { label: "daprd realtime-gateway", pid: gateway.sidecar.pid ?? null },
      { label: "bench process (task-api + relay + clients)", pid: process.pid },
      { label: "whole machine (all cores)", pid: null },
    ]);
    const total = options.rate * options.seconds;
    const sentAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const writes: Promise<void>[] = [];
    const began = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = began + (i * 1000) / options.rate - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const user = users[Math.floor(Math.random() * users.length)] as string;
      const sent = performance.now();
      writes.push(
        api.request("POST", "/tasks", { user, body: { title: `bench ${i}` } }).then((created) => {
          if (created.status !== 201) return;
          sentAt.set(created.body.id, sent);
          answeredAt.set(created.body.id, performance.now());
        }),
      );
    }
    await Promise.all(writes);
    const driven = (performance.now() - began) / 1000;
    const deadline = performance.now() + 30_000;
    const delivered = () => [...sentAt.keys()].filter((id) => (arrivals.get(id)?.length ?? 0) >= 2).length;
    while (delivered() < sentAt.size && performance.now() < deadline) await Bun.sleep(100);
    const usage = await sampler.stop();

    const fromSent: number[] = [];
    const fromAnswer: number[] = [];
    const writeLatency: number[] = [];
    for (const [id, sent] of sentAt) {
      const answered = answeredAt.get(id) as number;
      writeLatency.push(answered - sent);
      for (const at of arrivals.get(id) ?? []) {
        fromSent.push(at - sent);
        fromAnswer.push(at - answered);
      }
    }
    const row = (label: string, values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [
        label,
        String(sorted.length),
        ...[50, 90, 99].map((p) => fixed(percentile(sorted, p))),
        fixed(sorted.at(-1) ?? NaN),
      ];
    };
    console.log(
      `\n${sentAt.size} writes in ${fixed(driven)} s (${fixed(sentAt.size / driven)}/s), each pushed to its owner's 2 connections; ` +
        `${delivered()} reached both, ${sentAt.size - delivered()} did not within 30 s:`,
    );
    console.log(
      table(
        ["latency (ms)", "samples", "p50", "p90", "p99", "max"],
        [
          row("request sent → message on a client (upper bound: includes the write)", fromSent),
          row("response received → message on a client (the commit is just before)", fromAnswer),
          row("the write itself (POST /tasks)", writeLatency),
        ],
      ),
    );
    console.log("\nCPU (% of one core, sampled every second) and memory during the writes:");
    console.log(
      table(
        ["process", "avg CPU", "peak 1 s", "max RSS"],
        usage.map((u) => [
          u.label,
          `${fixed(u.averageCpu)} %`,
          `${fixed(u.peakCpu)} %`,
          u.pid === null ? "-" : mib(u.maxRssKib),
        ]),
      ),
    );
  } finally {
    for (const ws of sockets) ws.close();
    await gateway.stop();
    await api.stop();
    await stopTestStack();
  }
}
