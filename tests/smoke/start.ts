import { join } from "node:path";
import { freePort, type RunningSidecar, testStack } from "@nudge/testing";
import { smokeApp } from "./app.ts";

/** The smoke app listening on a free port with its own real daprd. */
export async function startSmoke(appId = "smoke") {
  const stack = await testStack();
  const smoke = smokeApp();
  const port = await freePort();
  smoke.app.listen({ port, hostname: "127.0.0.1" });
  const sidecar: RunningSidecar = await stack.sidecar({
    appId,
    appPort: port,
    resourcesPaths: [join(import.meta.dir, "resources")],
  });
  return { ...smoke, stack, sidecar, stop: () => smoke.app.stop(true) };
}
