export { freePort } from "./ports.ts";
export { type RunningSidecar, startSidecar } from "./sidecar.ts";
export { type TestStack, testStack } from "./stack.ts";
export { waitFor } from "./wait.ts";
