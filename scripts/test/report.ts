/**
 * What one `bun test --shard=i/n` process reported, read from its output, and the one summary of
 * all shards `./nudge test` prints last (its ` N pass` / ` N fail` lines are what .ci/run counts).
 */
export interface ShardReport {
  index: number;
  /** Test files in the order the shard ran them (each file's header line). */
  files: string[];
  pass: number;
  fail: number;
  /** `file › test` of each failed test. */
  failures: string[];
  /** "--shard=i/n: running k/m test files": k of m, or undefined when bun never said so. */
  selected?: { files: number; of: number };
  /** Whether bun printed its closing "Ran N tests across M files" line (it did not crash). */
  finished: boolean;
}

const FILE_HEADER = /^(\S+\.(?:test|spec)\.[cm]?[jt]sx?):$/;

export function readShardOutput(index: number, output: string): ShardReport {
  const report: ShardReport = { index, files: [], pass: 0, fail: 0, failures: [], finished: false };
  let file = "(before the first file)";
  // Bun repeats every failed test after the last file ("N tests failed:"); counted once, where it ran.
  let recap = false;
  for (const line of output.split("\n")) {
    if (/^\d+ tests? failed:$/.test(line)) recap = true;
    const header = FILE_HEADER.exec(line);
    if (header?.[1]) {
      file = header[1];
      report.files.push(file);
      continue;
    }
    const failed = /^\(fail\) (.*?)(?: \[[\d.]+m?s\])?$/.exec(line);
    if (failed && !recap) report.failures.push(`${file} › ${failed[1]}`);
    const count = /^ *(\d+) (pass|fail)$/.exec(line);
    if (count) report[count[2] as "pass" | "fail"] = Number(count[1]);
    const selected = /^--shard=\d+\/\d+: running (\d+)\/(\d+) test files?/.exec(line);
    if (selected) report.selected = { files: Number(selected[1]), of: Number(selected[2]) };
    if (/^Ran \d+ tests? across \d+ files?\./.test(line)) report.finished = true;
  }
  return report;
}

/**
 * Problems with the run as a whole that no single shard reports: a file run twice or by no
 * shard (the shards did not cut the same list), a shard that crashed or never started.
 */
export function runProblems(reports: ShardReport[], exitCodes: number[]): string[] {
  const problems: string[] = [];
  const owner = new Map<string, number>();
  for (const report of reports) {
    for (const file of report.files) {
      const first = owner.get(file);
      if (first !== undefined && first !== report.index)
        problems.push(`${file} ran in shard ${first} and shard ${report.index}`);
      owner.set(file, report.index);
    }
  }
  const totals = new Set(reports.map((r) => r.selected?.of));
  const selected = reports.reduce((sum, r) => sum + (r.selected?.files ?? 0), 0);
  if (reports.some((r) => !r.selected)) problems.push("a shard did not say which files it runs");
  else if (totals.size !== 1)
    problems.push(`the shards saw different file lists (${[...totals].join(", ")})`);
  else if (selected !== [...totals][0])
    problems.push(`the shards ran ${selected} of ${[...totals][0]} files`);
  reports.forEach((report, i) => {
    const code = exitCodes[i] ?? -1;
    if (!report.finished) problems.push(`shard ${report.index} ended (exit ${code}) before bun's summary`);
    else if (code !== 0 && report.fail === 0 && report.failures.length === 0)
      problems.push(`shard ${report.index} exited ${code} with no failed test (an error between tests?)`);
  });
  return problems;
}

export function summary(reports: ShardReport[], problems: string[], seconds: number): string {
  const pass = reports.reduce((sum, r) => sum + r.pass, 0);
  const fail = reports.reduce((sum, r) => sum + r.fail, 0);
  const files = reports.reduce((sum, r) => sum + r.files.length, 0);
  const failures = reports.flatMap((r) => r.failures.map((f) => `  ${f}   (shard ${r.index})`));
  return [
    ...(failures.length ? ["failed tests:", ...failures] : []),
    ...(problems.length ? ["problems with the run:", ...problems.map((p) => `  ${p}`)] : []),
    ` ${pass} pass`,
    ` ${fail} fail`,
    `Ran ${pass + fail} tests across ${files} files in ${reports.length} shards. [${seconds.toFixed(2)}s]`,
  ].join("\n");
}
