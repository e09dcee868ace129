import { afterAll } from "bun:test";
import { stopTestStack } from "./stack.ts";
import { TEARDOWN_TIMEOUT_MS } from "./timeouts.ts";

// Registered globally: the shared stack (control plane, sidecars, test database) is torn down
// after the last test of the run, whichever file started it — with the teardown budget every
// suite's own afterAll has, not bun's 5 s for a test: stopping the control plane and the
// containers outlasted that on a loaded machine and failed the last file of a shard.
afterAll(stopTestStack, TEARDOWN_TIMEOUT_MS);

// @dapr/dapr 3.18's workflow worker and client ignore their logger option and print ~20 INFO
// lines per workflow through console.info/debug, as the services' main.ts files note; in tests
// that buries the report. NUDGE_TEST_SDK_LOGS=1 keeps them.
if (!process.env.NUDGE_TEST_SDK_LOGS) console.info = console.debug = () => {};
