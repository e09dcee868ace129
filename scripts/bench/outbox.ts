/**
 * `bun run bench outbox`: how fast task-api's outbox relay drains a backlog on this machine,
 * and what each event costs. A backlog (a burst of writes: every task with a few events, as a
 * created task with a reminder has) is committed in one transaction; the relay, its real daprd
 * and Kafka publish it; the time runs from the commit to the last row marked sent. Several
 * rounds, the median printed with the load average. Prints numbers, no verdicts.
 */
import { stopTestStack } from "../../packages/testing/src/index.ts";
import { startTaskApi } from "../../tests/task-api/fixture.ts";
import { benchFlags } from "./common/flags.ts";
import { useLocalStack } from "./reminders/options.ts";
import { startSampler } from "./reminders/sampler.ts";
import { count } from "./task-api/options.ts";
import { fixed, loadAverage, table } from "./task-api/report.ts";

const USAGE = `bun run bench outbox [--events 20000] [--per-task 3] [--rounds 3] [--writers N]
  --events    outbox rows in each round
  --per-task  rows per task (their order within a task must hold)
  --rounds    rounds, one after the other (the median is printed)
  --writers   instead of one backlog committed at once, N writers commit a task's rows per
              transaction as fast as they can, as a burst of API writes does; the time runs
              from the first commit to the last row sent, and the largest backlog is printed`;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

export async function run(args: string[]): Promise<void> {
  const values = benchFlags(args, { values: ["events", "per-task", "rounds", "writers"] });
  if (values.help) return console.log(USAGE);
  const events = count("events", values.events, 20_000);
  const perTask = count("per-task", values["per-task"], 3);
  const rounds = count("rounds", values.rounds, 3);
  const writers = values.writers === undefined ? 0 : count("writers", values.writers, 16);
  useLocalStack();
  const api = await startTaskApi("task-api", { LOG_LEVEL: "error" });
  try {
    console.log(`outbox relay benchmark, ${new Date().toISOString()}`);
    console.log(
      `load average at start: ${loadAverage()}; task-api's relay in this process, its daprd, Kafka`,
    );
    console.log(
      `${events} rows on task-events, ${perTask} per task, ${writers ? `committed by ${writers} writers, a task per transaction` : "committed at once"}`,
    );
    const daprd = api.sidecar.pid;
    const results: Array<{
      seconds: number;
      relayMs: number;
      daprdMs: number;
      load: string;
      largestBacklog: number;
    }> = [];
    for (let round = 1; round <= rounds; round++) {
      const rows = Array.from({ length: events }, (_, i) => {
        const task = `bench-${round}-${Math.floor(i / perTask)}`;
        const id = Bun.randomUUIDv7();
        return {
          id,
          topic: "task-events",
          partition_key: task,
          // Not a task event: consumers of task-events ignore it.
          event: {
            specversion: "1.0",
            id,
            type: "test.outbox-probe",
            source: "/task-api",
            subject: task,
            time: new Date().toISOString(),
            datacontenttype: "application/json",
            data: { n: i % perTask, padding: "x".repeat(600) },
          },
        };
      });
      const sampler = startSampler([
        { label: "relay", pid: process.pid },
        ...(daprd ? [{ label: "daprd", pid: daprd }] : []),
      ]);
      const load = loadAverage();
      const pending = async () => {
        const [row] = await api.sql<{ left: number }[]>`
          select count(*)::int as left from outbox where sent_at is null and parked_at is null`;
        return row?.left ?? 0;
      };
      const insert = (tx: typeof api.sql, slice: typeof rows) =>
        tx`insert into outbox ${tx(
          slice.map((row) => ({ ...row, event: tx.json(row.event as never) })),
          "id",
          "topic",
          "partition_key",
          "event",
        )}`;
      let committed = performance.now();
      let largestBacklog = 0;
      if (!writers) {
        await api.sql.begin(async (tx) => {
          for (let i = 0; i < rows.length; i += 500) await insert(tx as never, rows.slice(i, i + 500));
          await tx`select pg_notify('nudge_outbox', '')`;
        });
        committed = performance.now();
        largestBacklog = events;
      } else {
        let next = 0;
        const watching = setInterval(async () => {
          largestBacklog = Math.max(largestBacklog, await pending());
        }, 250);
        await Promise.all(
          Array.from({ length: writers }, async () => {
            for (let i = next; i < rows.length; i = next) {
              next += perTask;
              await api.sql.begin(async (tx) => {
                await insert(tx as never, rows.slice(i, i + perTask));
                await tx`select pg_notify('nudge_outbox', '')`;
              });
            }
          }),
        );
        clearInterval(watching);
        console.error(
          `  … ${writers} writers committed ${events} rows in ${fixed((performance.now() - committed) / 1000, 2)} s`,
        );
      }
      while ((await pending()) > 0) await Bun.sleep(50);
      const drained = performance.now();
      const usage = await sampler.stop();
      const cpuMs = (label: string) =>
        ((usage.find((u) => u.label === label)?.cpuSecondsBetween(committed, drained) ?? Number.NaN) * 1000) /
        events;
      const result = {
        seconds: (drained - committed) / 1000,
        relayMs: cpuMs("relay"),
        daprdMs: cpuMs("daprd"),
        load,
        largestBacklog,
      };
      results.push(result);
      console.error(
        `  … round ${round}: ${events} rows in ${fixed(result.seconds, 2)} s (${fixed(events / result.seconds, 0)}/s)`,
      );
    }
    console.log(
      table(
        [
          "round",
          "load at start",
          "drained in",
          "rows/s",
          "largest backlog",
          "relay CPU/row",
          "daprd CPU/row",
        ],
        results.map((r, i) => [
          String(i + 1),
          r.load,
          `${fixed(r.seconds, 2)} s`,
          fixed(events / r.seconds, 0),
          String(r.largestBacklog),
          `${fixed(r.relayMs, 3)} ms`,
          `${fixed(r.daprdMs, 3)} ms`,
        ]),
      ),
    );
    const secs = median(results.map((r) => r.seconds));
    console.log(
      `median: ${fixed(events / secs, 0)} rows/s; relay ${fixed(median(results.map((r) => r.relayMs)), 3)} ms and daprd ${fixed(median(results.map((r) => r.daprdMs)), 3)} ms of CPU per row (the relay's figure includes this process's polling)`,
    );
    console.log(`load average at end: ${loadAverage()}`);
  } finally {
    await api.stop();
    await stopTestStack();
  }
}
