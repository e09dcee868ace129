import os from "node:os";
import type { Sql } from "../../../packages/db/src/index.ts";

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");
export const mib = (kib: number | null) => (kib === null ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);
export const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");

/** Columns padded to their widest cell; the first column left-aligned, numbers right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join(" | ");
  const rule = widths.map((width) => "-".repeat(width)).join("-|-");
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** What the numbers were measured on: they mean little without the machine and the server. */
export async function machineLines(sql: Sql, pgbench: string): Promise<string[]> {
  const [server] = await sql<{ version: string; shared_buffers: string; synchronous_commit: string }[]>`
    select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers,
           current_setting('synchronous_commit') as synchronous_commit`;
  const pgbenchVersion = Bun.spawnSync([pgbench, "--version"]).stdout.toString().trim();
  const cpu = os.cpus()[0]?.model.trim() ?? "unknown CPU";
  return [
    `machine: ${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ` +
      `${os.type()} ${os.release()}`,
    `runtime: bun ${Bun.version}; PostgreSQL ${server?.version} (shared_buffers ${server?.shared_buffers}, ` +
      `synchronous_commit ${server?.synchronous_commit}); ${pgbenchVersion}`,
    `load average at start: ${loadAverage()} (other work on this machine shows in every number)`,
  ];
}
