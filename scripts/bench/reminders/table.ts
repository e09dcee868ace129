/**
 * The rows of the reminder-scale table (`--table` runs them all, `--rows` some), waiting for a
 * quiet machine before each, and the table filled in at the end: measured next to target.
 */
import os from "node:os";
import { fixed, loadAverage, mib, table } from "../task-api/report.ts";
import type { ReminderBenchOptions } from "./options.ts";
import type { Outcome } from "./outcome.ts";

export interface TableRow {
  name: string;
  load: string;
  target: string;
  options: Partial<ReminderBenchOptions>;
}

export const TABLE_ROWS: TableRow[] = [
  {
    name: "single",
    load: "100 single reminders, 3 s apart",
    target: "p99 < 1 s",
    options: { reminders: 100, spreadSeconds: 297 },
  },
  { name: "1k", load: "1 000 spread over 60 s", target: "p99 < 1 s", options: { reminders: 1000 } },
  {
    name: "10k",
    load: "10 000 spread over 60 s",
    target: "p99 < 5 s, 0 duplicates, 0 misses; CPU per delivery ≤ 3 ms",
    options: { reminders: 10_000 },
  },
  {
    name: "10k-at-once",
    load: "10 000 due in the same second",
    target: "all within 30 s, 0 duplicates, 0 misses",
    options: { reminders: 10_000, spreadSeconds: 0 },
  },
  {
    name: "2-replicas-kill",
    load: "2 replicas, 10 000 over 60 s, one killed at second 20",
    target: "p99 < 5 s, 0 duplicates, 0 misses",
    options: { reminders: 10_000, replicas: 2, killReplicaAt: 20 },
  },
];

export function rowsNamed(names: string): TableRow[] {
  return names.split(",").map((name) => {
    const row = TABLE_ROWS.find((r) => r.name === name.trim());
    if (!row) throw new Error(`--rows: no row ${name} (rows: ${TABLE_ROWS.map((r) => r.name).join(", ")})`);
    return row;
  });
}

/** What one run measured, for the table. */
export interface RunFigures {
  loadAtStart: string;
  outcome: Outcome;
  deadlineHit: boolean;
  /** CPU ms per delivered email over the delivering phase, per process of the system, and their sum. */
  cpuPerDelivery: Array<{ label: string; ms: number }>;
  cpuPerDeliveryTotal: number;
  /** The largest resident set of any notification-service replica (app), KiB. */
  notificationRssKib: number | null;
}

/**
 * Wait until the 1-minute load average is below `below` (other engineers' builds and tests
 * share the cores), for at most `maxMinutes`; then run anyway, and the load printed says so.
 */
export async function untilQuiet(below: number, maxMinutes: number, progress: (line: string) => void) {
  const deadline = Date.now() + maxMinutes * 60_000;
  let reported = 0;
  while ((os.loadavg()[0] ?? 0) >= below && Date.now() < deadline) {
    if (Date.now() - reported >= 60_000) {
      progress(`waiting for the load average to fall below ${below} (now ${loadAverage()})`);
      reported = Date.now();
    }
    await Bun.sleep(5000);
  }
}

export function tableLines(results: Array<{ row: TableRow; figures: RunFigures | Error }>): string[] {
  const s = (ms: number) => `${fixed(ms / 1000, 2)} s`;
  return [
    "\nThe reminder-scale table (measured next to target; every row its own fresh system):",
    table(
      [
        "load",
        "target",
        "load avg at start",
        "delivered",
        "dup",
        "miss",
        "early",
        "p50",
        "p99",
        "max",
        "CPU/delivery (system)",
        "largest share",
        "app RSS",
      ],
      results.map(({ row, figures }) => {
        if (figures instanceof Error) return [row.load, row.target, "-", `failed: ${figures.message}`];
        const { outcome } = figures;
        const top = [...figures.cpuPerDelivery].sort((a, b) => b.ms - a.ms)[0];
        return [
          row.load,
          row.target,
          figures.loadAtStart,
          `${outcome.delivered} / ${outcome.expected}${figures.deadlineHit ? " (deadline hit)" : ""}`,
          String(outcome.duplicates),
          String(outcome.missing),
          String(outcome.early),
          s(outcome.latenessMs.p50),
          s(outcome.latenessMs.p99),
          s(outcome.latenessMs.max),
          `${fixed(figures.cpuPerDeliveryTotal, 2)} ms`,
          top ? `${top.label} ${fixed(top.ms, 2)} ms` : "-",
          mib(figures.notificationRssKib),
        ];
      }),
    ),
  ];
}
