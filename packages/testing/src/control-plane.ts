import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { daprBinDir, testLogDir } from "./paths.ts";
import { freePort } from "./ports.ts";
import { type Child, startChild, stopChild, whenHealthy } from "./process.ts";

/**
 * Dapr placement + scheduler for one test run, on free loopback ports with throwaway data, so
 * tests never disturb (or depend on) a developer's running stack.
 */
export interface ControlPlane {
  placementAddress: string;
  schedulerAddress: string;
  stop(): Promise<void>;
}

export async function startControlPlane(): Promise<ControlPlane> {
  const bin = daprBinDir();
  const dataDir = mkdtempSync(join(testLogDir, "..", "..", "tmp-dapr-"));
  const [placementPort, placementHealth, placementRaft, placementMetrics] = await ports(4);
  const [schedulerPort, schedulerHealth, etcdClient, etcdPeer, schedulerMetrics] = await ports(5);

  const placement = startChild(
    "placement",
    [
      join(bin, "placement"),
      ...["--port", `${placementPort}`, "--listen-address", "127.0.0.1"],
      ...["--healthz-port", `${placementHealth}`, "--healthz-listen-address", "127.0.0.1"],
      ...["--metrics-port", `${placementMetrics}`, "--metrics-listen-address", "127.0.0.1"],
      ...["--initial-cluster", `dapr-placement-0=127.0.0.1:${placementRaft}`],
    ],
    join(testLogDir, "placement.log"),
  );
  const scheduler = startChild(
    "scheduler",
    [
      join(bin, "scheduler"),
      ...["--port", `${schedulerPort}`, "--listen-address", "127.0.0.1"],
      ...["--healthz-port", `${schedulerHealth}`, "--healthz-listen-address", "127.0.0.1"],
      ...["--metrics-port", `${schedulerMetrics}`, "--metrics-listen-address", "127.0.0.1"],
      ...["--etcd-data-dir", join(dataDir, "scheduler"), "--etcd-client-listen-address", "127.0.0.1"],
      ...["--etcd-client-port", `${etcdClient}`],
      ...["--etcd-initial-cluster", `dapr-scheduler-server-0=http://127.0.0.1:${etcdPeer}`],
      ...["--override-broadcast-host-port", `127.0.0.1:${schedulerPort}`],
    ],
    join(testLogDir, "scheduler.log"),
  );
  const children: Child[] = [placement, scheduler];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.all([
      whenHealthy(placement, `http://127.0.0.1:${placementHealth}/healthz`),
      whenHealthy(scheduler, `http://127.0.0.1:${schedulerHealth}/healthz`),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    placementAddress: `127.0.0.1:${placementPort}`,
    schedulerAddress: `127.0.0.1:${schedulerPort}`,
    stop,
  };
}

async function ports(n: number): Promise<number[]> {
  const result: number[] = [];
  while (result.length < n) {
    const port = await freePort();
    if (!result.includes(port)) result.push(port);
  }
  return result;
}
