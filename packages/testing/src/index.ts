export { type EventRecorder, type RecordedEvent, startEventRecorder } from "./event-recorder.ts";
export { repoRoot } from "./paths.ts";
export { freePort } from "./ports.ts";
export { type ServiceProcess, serviceProcess } from "./service-process.ts";
export { shardFolder } from "./shard.ts";
export { type RunningSidecar, type SidecarPorts, sidecarPorts, startSidecar } from "./sidecar.ts";
export { stopTestStack, type TestStack, testStack } from "./stack.ts";
export { waitFor } from "./wait.ts";
/** For beforeAll hooks that start the stack: the first one may start containers or daprd. */
export const STARTUP_TIMEOUT_MS = 180_000;
/** For afterAll hooks that stop apps and sidecars (daprd gets a graceful-shutdown window). */
export const TEARDOWN_TIMEOUT_MS = 30_000;
