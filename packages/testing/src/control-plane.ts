import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir, daprBinDir, repoRoot, testLogDir } from "./paths.ts";
import { freePort } from "./ports.ts";
import { type Child, startChild, stopChild, whenHealthy } from "./process.ts";

/**
 * Dapr sentry + placement + scheduler for one test run, on free loopback ports with throwaway
 * data, so tests never disturb (or depend on) a developer's running stack.
 *
 * Sentry is the certificate authority: every sidecar, placement and the scheduler get an mTLS
 * identity from it, as in a cluster. Dapr's access-control policy (dapr/config.yaml) reads the
 * caller's app-id from that certificate; without mTLS every caller is anonymous and a
 * default-deny policy would refuse them all.
 */
export interface ControlPlane {
  placementAddress: string;
  schedulerAddress: string;
  sentryAddress: string;
  /** The run's root certificate (PEM): daprd reads it from DAPR_TRUST_ANCHORS. */
  trustAnchors: string;
  stop(): Promise<void>;
}

/** The API, health and metrics ports every control-plane service takes, all on loopback. */
const onLoopback = (port?: number, health?: number, metrics?: number) => [
  ...["--port", `${port}`, "--listen-address", "127.0.0.1"],
  ...["--healthz-port", `${health}`, "--healthz-listen-address", "127.0.0.1"],
  ...["--metrics-port", `${metrics}`, "--metrics-listen-address", "127.0.0.1"],
];

export async function startControlPlane(): Promise<ControlPlane> {
  const bin = daprBinDir();
  const dataDir = mkdtempSync(join(cacheDir, "tmp-dapr-"));
  const [sentryPort, sentryHealth, sentryMetrics, ...rest] = await ports(12);
  const [placementPort, placementHealth, placementRaft, placementMetrics] = rest;
  const [schedulerPort, schedulerHealth, etcdClient, etcdPeer, schedulerMetrics] = rest.slice(4);
  const sentryAddress = `127.0.0.1:${sentryPort}`;
  const credentials = join(dataDir, "sentry");
  mkdirSync(credentials, { recursive: true });

  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => stopChild(child)));
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // Sentry first: it writes the root certificate the others are started with.
    const sentry = startChild(
      "sentry",
      [
        join(bin, "sentry"),
        ...["--issuer-credentials", credentials, "--config", join(repoRoot, "dapr", "sentry.yaml")],
        ...onLoopback(sentryPort, sentryHealth, sentryMetrics),
      ],
      join(testLogDir, "sentry.log"),
    );
    children.push(sentry);
    await whenHealthy(sentry, `http://127.0.0.1:${sentryHealth}/healthz`);
    const trustAnchorsFile = join(credentials, "ca.crt");
    const tls = [
      "--tls-enabled",
      "--trust-anchors-file",
      trustAnchorsFile,
      "--sentry-address",
      sentryAddress,
    ];

    const placement = startChild(
      "placement",
      [
        join(bin, "placement"),
        ...onLoopback(placementPort, placementHealth, placementMetrics),
        ...["--initial-cluster", `dapr-placement-0=127.0.0.1:${placementRaft}`],
        ...tls,
      ],
      join(testLogDir, "placement.log"),
    );
    const scheduler = startChild(
      "scheduler",
      [
        join(bin, "scheduler"),
        ...onLoopback(schedulerPort, schedulerHealth, schedulerMetrics),
        ...["--etcd-data-dir", join(dataDir, "scheduler"), "--etcd-client-listen-address", "127.0.0.1"],
        ...["--etcd-client-port", `${etcdClient}`],
        ...["--etcd-initial-cluster", `dapr-scheduler-server-0=http://127.0.0.1:${etcdPeer}`],
        ...["--override-broadcast-host-port", `127.0.0.1:${schedulerPort}`],
        // Its own place for the identity it writes (the default is shared /tmp); it must not
        // exist yet: the scheduler swaps a symlink into place.
        ...["--identity-directory-write", join(dataDir, "scheduler-identity")],
        ...tls,
      ],
      join(testLogDir, "scheduler.log"),
    );
    children.push(placement, scheduler);
    await Promise.all([
      whenHealthy(placement, `http://127.0.0.1:${placementHealth}/healthz`),
      whenHealthy(scheduler, `http://127.0.0.1:${schedulerHealth}/healthz`),
    ]);
    return {
      placementAddress: `127.0.0.1:${placementPort}`,
      schedulerAddress: `127.0.0.1:${schedulerPort}`,
      sentryAddress,
      trustAnchors: readFileSync(trustAnchorsFile, "utf8"),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function ports(n: number): Promise<number[]> {
  const result: number[] = [];
  while (result.length < n) {
    const port = await freePort();
    if (!result.includes(port)) result.push(port);
  }
  return result;
}
