/**
 * `bun run bench audit`: audit-service's ingest rate on this machine. A backlog of task events
 * is published to task-events while audit-service's sidecar is down; the sidecar comes back and
 * the rate is counted from the first backlog row recorded to the last (so the consumer group's
 * rejoin is not part of it). Each event is a full TaskEvent (schemaVersion 2) of its own task,
 * spread over every partition. Prints numbers, no verdicts.
 */
import type { TaskEvent } from "../../packages/contracts/src/index.ts";
import { publishEvent } from "../../packages/dapr/src/index.ts";
import { stopTestStack, waitFor } from "../../packages/testing/src/index.ts";
import { startAuditService } from "../../tests/audit-service/fixture.ts";
import { startTaskApi } from "../../tests/task-api/fixture.ts";
import { useLocalStack } from "./reminders/options.ts";
import { fixed, loadAverage } from "./task-api/report.ts";

const USAGE = `bun run bench audit [--events 5000]
  --events   size of the backlog audit-service works through`;

function parse(args: string[]) {
  const options = { events: 5000 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === "--help") return console.log(USAGE);
    const value = Number(args[++i]);
    if (flag !== "--events" || !Number.isInteger(value) || value <= 0) throw new Error(USAGE);
    options.events = value;
  }
  return options;
}

export async function run(args: string[]): Promise<void> {
  const options = parse(args);
  if (!options) return;
  useLocalStack();
  const api = await startTaskApi();
  const audit = await startAuditService(api);
  try {
    // A real event as the template: what task-api publishes for a created task.
    const user = `bench-${crypto.randomUUID()}`;
    const created = await api.request("POST", "/tasks", { user, body: { title: "bench", priority: "high" } });
    const template = await waitFor("the template event in the history", async () => {
      const [row] = await audit.sql<{ event: TaskEvent }[]>`
        select event from audit_events where task_id = ${created.body.id}`;
      return row;
    });

    await audit.sidecar.stop();
    console.error(`  … publishing ${options.events} events while audit-service's sidecar is down`);
    const publishStarted = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < options.events; i += 64) {
      await Promise.all(
        Array.from({ length: Math.min(64, options.events - i) }, () => {
          const taskId = crypto.randomUUID();
          const event = structuredClone(template.event);
          event.id = Bun.randomUUIDv7();
          event.subject = taskId;
          event.data.task.id = taskId;
          ids.push(event.id);
          return publishEvent(api.sidecar, "task-events", event as never, { partitionKey: taskId });
        }),
      );
    }
    const publishSeconds = (performance.now() - publishStarted) / 1000;
    const since = await audit.sql<
      { seq: string }[]
    >`select coalesce(max(seq), 0)::text as seq from audit_events`;
    const floor = since[0]?.seq ?? "0";

    console.error("  … restarting the sidecar; counting rows");
    await audit.sidecar.restart();
    let first: number | undefined;
    let last = 0;
    const deadline = performance.now() + 600_000;
    for (;;) {
      const [row] = await audit.sql<{ n: number }[]>`
        select count(*)::int as n from audit_events where seq > ${floor} and event_id = any(${ids})`;
      const n = row?.n ?? 0;
      if (n > 0 && first === undefined) first = performance.now();
      if (n >= ids.length || performance.now() > deadline) {
        last = performance.now();
        console.log(`audit ingest (${n}/${ids.length} events recorded, load average ${loadAverage()}):`);
        break;
      }
      await Bun.sleep(20);
    }
    const seconds = (last - (first ?? last) || 1) / 1000;
    console.log(`  publish through Dapr:  ${fixed(options.events / publishSeconds, 0)} events/s`);
    console.log(
      `  ingest (history rows): ${fixed(options.events / seconds, 0)} events/s over ${fixed(seconds, 1)} s`,
    );
  } finally {
    await audit.stop().catch(() => {});
    await api.stop();
    await stopTestStack();
  }
}
