import { openSync } from "node:fs";
import { join } from "node:path";
import { freePort, repoRoot, sidecarPorts, type TestStack } from "../../../packages/testing/src/index.ts";
import { gatewayEnv, untilLiveFlows } from "../../../tests/realtime-gateway/fixture.ts";
import type { TaskApiFixture } from "../../../tests/task-api/fixture.ts";

/**
 * realtime-gateway as it runs in production: its own process (so its memory is its own and the
 * clients don't share its event loop) with its own daprd and consumer group.
 */
export async function startGatewayProcess(api: TaskApiFixture, stack: TestStack) {
  const port = await freePort();
  const ports = await sidecarPorts();
  const logFile = join(repoRoot, ".cache", "logs", "test", "realtime-gateway-bench.log");
  const child = Bun.spawn(["bun", join(repoRoot, "services", "realtime-gateway", "src", "main.ts")], {
    env: { ...process.env, ...gatewayEnv(port, ports), LOG_LEVEL: "warn" },
    stdout: openSync(logFile, "w"),
    stderr: "inherit",
  });
  const sidecar = await stack.sidecar({
    appId: "realtime-gateway",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: {
      APP_API_TOKEN: gatewayEnv(port, ports).APP_API_TOKEN,
      POD_NAME: `bench-${crypto.randomUUID().slice(0, 8)}`,
    },
    logName: "realtime-gateway-bench",
  });
  const gateway = { pid: child.pid, sidecar, wsUrl: `ws://127.0.0.1:${port}/realtime/ws`, logFile };
  await untilLiveFlows(api, gateway);
  return {
    ...gateway,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
      await sidecar.stop();
    },
  };
}

/** Resident memory of a process in KiB (VmRSS). */
export async function residentKib(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}
