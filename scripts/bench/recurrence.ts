/**
 * `bun run bench recurrence`: how fast a completed recurring task's next occurrence appears, on
 * the real path (task-api + outbox → Kafka → recurrence-service → nextOccurrence workflow →
 * task-api), at a steady rate of completions; and what the pure next-instant computation costs
 * per call across the case table. Prints numbers, no verdicts.
 */
import { CASES, nextFor } from "../../packages/recurrence/src/cases.ts";
import { stopTestStack } from "../../packages/testing/src/index.ts";
import { dailyTask, startRecurrenceService } from "../../tests/recurrence-service/fixture.ts";
import { startTaskApi, type TaskApiFixture } from "../../tests/task-api/fixture.ts";
import { useLocalStack } from "./reminders/options.ts";
import { divertInfoLogs } from "./reminders/sdk-log.ts";
import { fixed, table } from "./task-api/report.ts";
import { median, percentile } from "./task-api/stats.ts";

const USAGE = `bun run bench recurrence [--rate 50] [--seconds 60] [--compute-rounds 5]
  --rate             completions per second
  --seconds          how long completions are driven
  --compute-rounds   rounds of the next-instant micro-benchmark (the median is reported)`;

function parse(args: string[]) {
  const options = { rate: 50, seconds: 60, computeRounds: 5 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--help") return console.log(USAGE);
    const value = Number(args[++i]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number\n${USAGE}`);
    if (flag === "--rate") options.rate = value;
    else if (flag === "--seconds") options.seconds = value;
    else if (flag === "--compute-rounds") options.computeRounds = value;
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  return options;
}

/** µs per next-instant computation over the whole case table, median of `rounds`. */
function computeCost(rounds: number) {
  const perRound: number[] = [];
  const calls = 200;
  for (let round = 0; round < rounds; round++) {
    const began = performance.now();
    for (let i = 0; i < calls; i++) for (const c of CASES) nextFor(c);
    perRound.push(((performance.now() - began) * 1000) / (calls * CASES.length));
  }
  return {
    median: median(perRound),
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    calls: calls * CASES.length,
  };
}

/** Poll the tasks table (what the API reads) for next occurrences; note when each became visible. */
function watchNextOccurrences(api: TaskApiFixture, visibleAt: Map<string, number>) {
  let running = true;
  const loop = (async () => {
    let since = new Date(0);
    while (running) {
      // created_at is the transaction's start, not its commit: look back far enough that a row
      // committed after a later-started one is still seen.
      const rows = await api.sql<{ series_id: string; created_at: Date }[]>`
        select series_id, created_at from tasks
        where occurrence_index = 1 and created_at > ${new Date(since.getTime() - 30_000)}`;
      const now = performance.now();
      for (const row of rows) {
        if (!visibleAt.has(row.series_id)) visibleAt.set(row.series_id, now);
        if (row.created_at > since) since = row.created_at;
      }
      await Bun.sleep(10);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!options) return;
  useLocalStack();
  const sdkLog = divertInfoLogs("recurrence");
  const cost = computeCost(options.computeRounds);
  console.log(`next-instant computation over ${CASES.length} table cases (${cost.calls} calls per round):`);
  console.log(
    `  ${fixed(cost.median, 2)} µs/op median of ${options.computeRounds} rounds (min ${fixed(cost.min, 2)}, max ${fixed(cost.max, 2)})`,
  );

  const api = await startTaskApi();
  const recurrence = await startRecurrenceService(api);
  try {
    const total = Math.round(options.rate * options.seconds);
    console.error(`  … creating ${total} recurring tasks`);
    const tasks: Array<{ id: string; seriesId: string; user: string }> = [];
    for (let i = 0; i < total; i += 32) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(32, total - i) }, async () => {
          const user = `bench-${crypto.randomUUID()}`;
          const task = await dailyTask(api, user);
          return { id: task.id, seriesId: task.series.id, user };
        }),
      );
      tasks.push(...batch);
    }
    const visibleAt = new Map<string, number>();
    const stopWatching = watchNextOccurrences(api, visibleAt);
    const completedAt = new Map<string, number>();
    console.error(`  … completing ${options.rate}/s for ${options.seconds} s`);
    const began = performance.now();
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = began + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 0) await Bun.sleep(wait);
      const task = tasks[i] as (typeof tasks)[number];
      completedAt.set(task.seriesId, performance.now());
      requests.push(api.request("POST", `/tasks/${task.id}/complete`, { user: task.user }));
    }
    await Promise.all(requests);
    const drivenSeconds = (performance.now() - began) / 1000;
    const deadline = performance.now() + 60_000;
    // Only this run's series count (the start-up probe's next occurrence is seen too).
    while (tasks.some((t) => !visibleAt.has(t.seriesId)) && performance.now() < deadline)
      await Bun.sleep(100);
    await stopWatching();
    const [extra] = await api.sql<{ series: number }[]>`
      select count(*)::int as series from (select series_id from tasks where series_id is not null
        group by series_id having count(*) > 2) s`;

    const missing = tasks.filter((t) => !visibleAt.has(t.seriesId));
    for (const task of missing.slice(0, 5)) {
      const rows = await api.sql<{ occurrence_index: number; status: string }[]>`
        select occurrence_index, status from tasks where series_id = ${task.seriesId} order by occurrence_index`;
      const state = await recurrence.service.workflows
        .getWorkflowState(`next-${task.id}-v2`, true)
        .catch((error) => ({ error: String(error) }));
      console.log(`missing: series ${task.seriesId} (task ${task.id}) has ${JSON.stringify(rows)}`);
      console.log(`  its workflow: ${JSON.stringify(state)}`);
    }
    const latencies = tasks
      .filter((t) => visibleAt.has(t.seriesId))
      .map((t) => (visibleAt.get(t.seriesId) as number) - (completedAt.get(t.seriesId) as number))
      .sort((a, b) => a - b);
    console.log(
      `completion → next task visible (${total} completions at ${options.rate}/s, driven over ${fixed(drivenSeconds)} s; visibility polled every ~10 ms):`,
    );
    console.log(
      table(
        ["created", "missing", "series with a second copy", "p50 ms", "p90 ms", "p99 ms", "max ms"],
        [
          [
            String(latencies.length),
            String(total - latencies.length),
            String(extra?.series ?? 0),
            fixed(percentile(latencies, 50)),
            fixed(percentile(latencies, 90)),
            fixed(percentile(latencies, 99)),
            fixed(latencies.at(-1) ?? Number.NaN),
          ],
        ],
      ),
    );
  } finally {
    await recurrence.stop();
    await api.stop();
    await stopTestStack();
    await sdkLog.restore();
  }
}
