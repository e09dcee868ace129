/**
 * `bun run bench digest`: how many daily digests per minute the design delivers on this machine.
 * N users whose digest falls on the same instant (the worst case: everyone at 08:00 in one
 * zone), each with a few tasks due that day, on the real path — the Dapr job's tick in
 * notification-service, task-api's due/claimed/contents routes through Dapr service invocation,
 * rendering, Resend batch requests (the capture server), the digests table. Prints numbers.
 */
import { stopTestStack } from "../../packages/testing/src/index.ts";
import { startReminderSystem } from "../../tests/notification-service/fixture.ts";
import { benchFlags } from "./common/flags.ts";
import { useLocalStack } from "./reminders/options.ts";
import { divertInfoLogs } from "./reminders/sdk-log.ts";
import { fixed, loadAverage, table } from "./task-api/report.ts";
import { median, percentile } from "./task-api/stats.ts";

const USAGE = `bun run bench digest [--users 2000] [--tasks 3] [--rounds 3] [--batch 100] [--parallel 4]
  --users    digest users whose digest is due at the same instant, per round
  --tasks    open tasks due that day per user (what each digest lists)
  --rounds   rounds (a fresh instant and fresh users each); medians are reported
  --batch    DIGEST_BATCH_SIZE (digests per Resend batch request, at most 100)
  --parallel DIGEST_PARALLEL_CHUNKS (chunks in flight at once, at most 16)`;

function parse(args: string[]) {
  const values = benchFlags(args, { values: ["users", "tasks", "rounds", "batch", "parallel"] });
  if (values.help) return console.log(USAGE);
  const positive = (text: string | undefined, fallback: number) => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${text}\n${USAGE}`);
    return n;
  };
  return {
    users: positive(values.users, 2000),
    tasks: positive(values.tasks, 3),
    rounds: positive(values.rounds, 3),
    batch: Math.min(100, positive(values.batch, 100)),
    parallel: Math.min(16, positive(values.parallel, 4)),
  };
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!options) return;
  useLocalStack();
  const sdkLog = divertInfoLogs("digest");
  const system = await startReminderSystem({
    notification: {
      DIGEST_TICK_SCHEDULE: "@every 1s",
      DIGEST_BATCH_SIZE: String(options.batch),
      DIGEST_PARALLEL_CHUNKS: String(options.parallel),
    },
  });
  const { api, mail } = system;
  const rows: string[][] = [];
  const rates: number[] = [];
  try {
    for (let round = 1; round <= options.rounds; round++) {
      mail.clear();
      const run = crypto.randomUUID().slice(0, 8);
      // Seeded straight into task-api's tables (what PATCH /me/preferences and POST /tasks write):
      // thousands of users through the API would measure the API, not the digest.
      const at = new Date(Math.ceil((Date.now() + 20_000) / 1000) * 1000);
      const day = at.toISOString().slice(0, 10);
      console.error(
        `  … round ${round}: seeding ${options.users} users × ${options.tasks} tasks, due ${at.toISOString()}`,
      );
      const users = Array.from({ length: options.users }, (_, i) => `digest-${run}-${i}`);
      await api.sql`
        insert into users (id, time_zone, email, digest_enabled, digest_time, digest_next_at, digest_next_day)
        select u, 'UTC', u || '@bench.example', true, ${at.toISOString().slice(11, 16)}::time, ${at}, ${day}::date
        from unnest(${users}::text[]) as u`;
      await api.sql`
        insert into tasks (id, user_id, title, description, priority, due_at, time_zone)
        select gen_random_uuid(), u, 'Bench task ' || n, '', 2, ${at}::timestamptz + make_interval(mins => 10 * n), 'UTC'
        from unnest(${users}::text[]) as u cross join generate_series(1, ${options.tasks}) as n`;
      const load = loadAverage();
      const waitUntil = at.getTime() - Date.now();
      if (waitUntil > 0) await Bun.sleep(waitUntil);
      const deadline = Date.now() + 15 * 60_000;
      let sent = 0;
      while (Date.now() < deadline) {
        const [row] = await system.service.sql<{ n: number }[]>`
          select count(*)::int as n from digests where status = 'sent' and user_id like ${`digest-${run}-%`}`;
        sent = row?.n ?? 0;
        if (sent >= options.users) break;
        await Bun.sleep(200);
      }
      const captured = mail.emails().filter((m) => m.to[0]?.startsWith(`digest-${run}-`));
      const lateness = captured.map((m) => m.receivedAt - at.getTime()).sort((a, b) => a - b);
      const lastMs = lateness.at(-1) ?? Number.NaN;
      const perMinute = (captured.length / lastMs) * 60_000;
      rates.push(perMinute);
      const [chunks] = await system.service.sql<{ n: number }[]>`
        select count(distinct chunk_id)::int as n from digests where user_id like ${`digest-${run}-%`}`;
      rows.push([
        String(round),
        String(captured.length),
        String(sent),
        String(chunks?.n ?? 0),
        fixed(percentile(lateness, 50) / 1000, 2),
        fixed(percentile(lateness, 99) / 1000, 2),
        fixed(lastMs / 1000, 2),
        fixed(perMinute, 0),
        `${load} → ${loadAverage()}`,
      ]);
    }
    console.log(
      `digests due at one instant, ${options.users} users × ${options.tasks} tasks, batches of ${options.batch}, ${options.parallel} in flight, ticks every 1 s:`,
    );
    console.log(
      table(
        [
          "round",
          "emails",
          "rows sent",
          "chunks",
          "p50 s late",
          "p99 s late",
          "last s",
          "digests/min",
          "load 1/5/15",
        ],
        rows,
      ),
    );
    console.log(`median: ${fixed(median(rates), 0)} digests per minute`);
  } finally {
    await system.stop();
    await stopTestStack();
    await sdkLog.restore();
  }
}
