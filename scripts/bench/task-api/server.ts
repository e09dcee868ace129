/**
 * task-api as main.ts wires it (its runtime, config from the environment), minus the outbox
 * relay: the benchmark measures the write path, and publishing is asynchronous.
 * Spawned by the benchmark so the server has an event loop and a resident set of its own.
 */
import { createLogger } from "../../../packages/service/src/index.ts";
import { loadConfig } from "../../../services/task-api/src/config.ts";
import { createTaskApi } from "../../../services/task-api/src/runtime.ts";

const config = loadConfig();
const taskApi = createTaskApi(config, createLogger("task-api-bench", config.logLevel));
taskApi.listen();

process.once("SIGTERM", async () => {
  await taskApi.stop({ drainMs: 0 });
  process.exit(0);
});
