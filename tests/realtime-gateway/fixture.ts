import { join } from "node:path";
import { createLogger } from "@nudge/service";
import { freePort, repoRoot, sidecarPorts, waitFor } from "@nudge/testing";
import { loadConfig } from "../../services/realtime-gateway/src/config.ts";
import { createRealtimeGateway } from "../../services/realtime-gateway/src/runtime.ts";
import { APP_API_TOKEN, JWT, type TaskApiFixture } from "../task-api/fixture.ts";
import { type LiveClient, openWebSocket } from "./clients.ts";

/** The environment realtime-gateway runs with in tests. */
export function gatewayEnv(port: number, ports: { httpPort: number; grpcPort: number }) {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    DAPR_HTTP_PORT: String(ports.httpPort),
    DAPR_GRPC_PORT: String(ports.grpcPort),
    APP_API_TOKEN,
    JWT_SECRET: JWT.secret,
    JWT_ISSUER: JWT.issuer,
    JWT_AUDIENCE: JWT.audience,
  };
}

/**
 * A realtime-gateway replica in this process with its own real daprd. Each replica's sidecar
 * gets a POD_NAME of its own, so its consumer group (realtime-gateway-{podName}) is never shared
 * with another replica or another test run.
 */
export async function startGateway(
  api: TaskApiFixture,
  overrides: Record<string, string> = {},
  replica = "a",
) {
  const port = await freePort();
  const ports = await sidecarPorts();
  const config = loadConfig({ ...gatewayEnv(port, ports), LOG_LEVEL: "warn", ...overrides });
  const gateway = createRealtimeGateway(config, createLogger("realtime-gateway", "warn"));
  gateway.listen();
  const podName = `test-${replica}-${crypto.randomUUID().slice(0, 8)}`;
  const sidecar = await api.stack.sidecar({
    appId: "realtime-gateway",
    appPort: port,
    ports,
    resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
    env: { APP_API_TOKEN, POD_NAME: podName },
    logName: `realtime-gateway-${replica}`,
  });
  const fixture = {
    gateway,
    sidecar,
    podName,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/realtime/ws`,
    async stop() {
      await gateway.stop();
      await sidecar.stop();
    },
  };
  await untilLiveFlows(api, fixture);
  return fixture;
}

export type GatewayFixture = Awaited<ReturnType<typeof startGateway>>;

/**
 * Wait until a change flows end to end (task-api → Kafka → the replica's own consumer group →
 * a socket). A new group starts at the newest offset only once it owns its partitions, so a
 * probe change is made again until one arrives; nothing may be timed before that.
 */
export async function untilLiveFlows(api: TaskApiFixture, gateway: { wsUrl: string }) {
  const user = `probe-${crypto.randomUUID()}`;
  const client: LiveClient = await openWebSocket(gateway.wsUrl, user);
  try {
    await waitFor(
      "a probe change to reach a WebSocket client",
      async () => {
        if (client.changes().length > 0) return true;
        const created = await api.request("POST", "/tasks", { user, body: { title: "probe" } });
        if (created.status !== 201) throw new Error(`creating a probe task: ${created.status}`);
        await client.waitForChanges(1, 2000).catch(() => {});
        return client.changes().length > 0;
      },
      { timeoutMs: 180_000, intervalMs: 0 },
    );
  } finally {
    client.close();
  }
}
