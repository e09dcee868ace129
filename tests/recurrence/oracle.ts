/**
 * The differential suite's judge: tests/recurrence/oracle/oracle.py (python-dateutil + zoneinfo)
 * in the venv `./nudge test` prepares (ensure_venv recurrence-oracle), one process per batch.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface OracleCase {
  id: string;
  /** RRULE text as the client wrote it: UNTIL in any of its three forms, read by the judge itself. */
  rule: string;
  /** DTSTART, epoch seconds. */
  start: number;
  zone: string;
  /** How many occurrences to list, the start included. */
  count: number;
}

/** `ended`: why a list is shorter than asked ("full" when it is not): UNTIL, or nothing more within the horizon. */
export type OracleVerdict =
  | { occurrences: number[]; ended: "full" | "until" | "horizon" }
  | { error: string }
  | { timeout: string };

export interface OracleAnswer {
  results: Record<string, OracleVerdict>;
  transitions: Record<string, Array<[number, number]>>;
}

/** The judge's interpreter: a missing venv fails the suite, it never skips it. */
export function oraclePython(): string {
  const python = process.env.NUDGE_RECURRENCE_ORACLE;
  if (!python || !existsSync(python)) {
    throw new Error(
      "NUDGE_RECURRENCE_ORACLE must name the recurrence oracle's python (./nudge test sets it up with " +
        "ensure_venv recurrence-oracle tests/recurrence/oracle/requirements.txt)",
    );
  }
  return python;
}

export async function askOracle(request: {
  cases: OracleCase[];
  transitions?: { zones: string[]; years: Array<[number, number]> };
}): Promise<OracleAnswer> {
  const child = Bun.spawn([oraclePython(), join(import.meta.dir, "oracle", "oracle.py")], {
    stdin: new Blob([JSON.stringify(request)]),
    stdout: "pipe",
    stderr: "pipe",
    // The pinned tzdata package, not the machine's zoneinfo: a known tz data version.
    env: { ...process.env, PYTHONTZPATH: "" },
  });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`the oracle exited with ${code}: ${err}`);
  return JSON.parse(out) as OracleAnswer;
}
