export { type EventRecorder, type RecordedEvent, startEventRecorder } from "./event-recorder.ts";
export { repoRoot } from "./paths.ts";
export { freePort } from "./ports.ts";
export { type ServiceProcess, serviceProcess } from "./service-process.ts";
export { shardFolder } from "./shard.ts";
export { type RunningSidecar, type SidecarPorts, sidecarPorts, startSidecar } from "./sidecar.ts";
export { stopTestStack, type TestStack, testStack } from "./stack.ts";
export { STARTUP_TIMEOUT_MS, TEARDOWN_TIMEOUT_MS } from "./timeouts.ts";
export { waitFor } from "./wait.ts";
