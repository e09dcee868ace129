import { describe, expect, test } from "bun:test";
import { readShardOutput, runProblems, summary } from "./report.ts";

// Shaped like `bun test --shard=i/n` output (bun 1.4).
const shardOne = `bun test v1.4.4
--shard=1/2: running 2/3 test files

tests/a.test.ts:
(pass) a > works [1.00ms]
error: expect(received).toBe(expected)
(fail) a > breaks [2.50ms]

tests/b.test.ts:
(pass) b > works

1 tests failed:
(fail) a > breaks [2.50ms]

 2 pass
 1 fail
Ran 3 tests across 2 files. [1.20s]
`;
const shardTwo = `--shard=2/2: running 1/3 test files

tests/c.test.ts:
(pass) c > works [10.00ms]

 1 pass
 0 fail
Ran 1 test across 1 file. [0.50s]
`;

describe("the summary of a sharded test run", () => {
  test("adds up every shard's counts and names each failed test with its file and shard", () => {
    const reports = [readShardOutput(1, shardOne), readShardOutput(2, shardTwo)];
    expect(reports[0]?.files).toEqual(["tests/a.test.ts", "tests/b.test.ts"]);
    const text = summary(reports, runProblems(reports, [1, 0]), 3);
    // Once, under its own file, though bun repeats it after the last file.
    expect(reports[0]?.failures).toEqual(["tests/a.test.ts › a > breaks"]);
    expect(text).toContain("tests/a.test.ts › a > breaks   (shard 1)");
    // .ci/run counts the last such lines of the log.
    expect(text.split("\n").filter((l) => /^ *\d+ (pass|fail)$/.test(l))).toEqual([" 3 pass", " 1 fail"]);
    expect(runProblems(reports, [1, 0])).toEqual([]);
  });

  test("a shard that crashed before bun's closing line is a problem even with no failed test", () => {
    const crashed = shardTwo.split("\n").slice(0, 4).join("\n");
    const reports = [readShardOutput(1, shardOne), readShardOutput(2, crashed)];
    expect(runProblems(reports, [1, 134])).toEqual(["shard 2 ended (exit 134) before bun's summary"]);
  });

  test("a shard exiting non-zero with every test passed is a problem (an error between tests)", () => {
    const reports = [readShardOutput(2, shardTwo)];
    expect(runProblems(reports, [1]).join()).toContain("shard 2 exited 1 with no failed test");
  });

  test("files the shards did not split exactly once are a problem", () => {
    const twice = shardTwo.replace("tests/c.test.ts", "tests/b.test.ts");
    expect(runProblems([readShardOutput(1, shardOne), readShardOutput(2, twice)], [1, 0])).toEqual([
      "tests/b.test.ts ran in shard 1 and shard 2",
    ]);
    const missing = shardTwo.replace("running 1/3", "running 0/3");
    expect(runProblems([readShardOutput(1, shardOne), readShardOutput(2, missing)], [1, 0])).toEqual([
      "the shards ran 2 of 3 files",
    ]);
  });
});
