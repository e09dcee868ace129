import { afterAll } from "bun:test";
import { stopTestStack } from "./stack.ts";

// Registered globally: the shared stack (control plane, sidecars, test database) is torn down
// after the last test of the run, whichever file started it.
afterAll(stopTestStack);
