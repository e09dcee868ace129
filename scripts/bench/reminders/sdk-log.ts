import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { cacheDir } from "../../../packages/testing/src/paths.ts";

/**
 * @dapr/dapr 3.18's DurableTask worker, executor and client build their loggers without the
 * options given to WorkflowRuntime, so they log every work item at INFO through console.info
 * (~20 lines per reminder). Sent to a file here: the report stays readable, and the writes
 * (part of what the service costs) still happen in this process.
 */
export function divertInfoLogs(bench = "reminders"): { path: string; restore(): Promise<void> } {
  const dir = join(cacheDir, "logs", "bench");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${bench}-sdk.log`);
  const sink = Bun.file(path).writer();
  const original = { info: console.info, debug: console.debug };
  const write = (...args: unknown[]) => {
    sink.write(`${format(...args)}\n`);
  };
  console.info = write;
  console.debug = write;
  return {
    path,
    async restore() {
      console.info = original.info;
      console.debug = original.debug;
      await sink.end();
    },
  };
}
