/** For beforeAll hooks that start the stack: the first one may start containers or daprd. */
export const STARTUP_TIMEOUT_MS = 180_000;
/** For afterAll hooks that stop apps and sidecars (daprd gets a graceful-shutdown window). */
export const TEARDOWN_TIMEOUT_MS = 30_000;
