import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Sidecar } from "@nudge/dapr";
import { daprBinDir, repoRoot, testLogDir } from "./paths.ts";
import { freePort } from "./ports.ts";
import { type Child, startChild, stopChild, whenHealthy } from "./process.ts";

export interface SidecarOptions {
  appId: string;
  /** The app's HTTP port; omit for a sidecar without an app channel. */
  appPort?: number;
  /** Extra resource folders (subscriptions, test-only components) besides dapr/components. */
  resourcesPaths?: string[];
  placementAddress: string;
  schedulerAddress: string;
  databaseUrl: string;
  kafkaBrokers: string;
  /** Ports chosen ahead (see sidecarPorts) when the app must know them before daprd starts. */
  ports?: SidecarPorts;
  /** Extra environment for daprd, e.g. APP_API_TOKEN. */
  env?: Record<string, string>;
  /** The log file's name (daprd-<logName>.log) when replicas share an app-id; default the app-id. */
  logName?: string;
  /** The Dapr Configuration file; default dapr/config.yaml. */
  configPath?: string;
  /** Sentry and its root certificate: the sidecar gets an mTLS identity (its app-id) from it. */
  mtls?: { sentryAddress: string; trustAnchors: string };
  /** More daprd flags, e.g. --enable-profiling for a benchmark's profile. */
  extraArgs?: string[];
}

export interface SidecarPorts {
  httpPort: number;
  grpcPort: number;
  internalGrpcPort: number;
  metricsPort: number;
}

export async function sidecarPorts(): Promise<SidecarPorts> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  return {
    httpPort: await next(),
    grpcPort: await next(),
    internalGrpcPort: await next(),
    metricsPort: await next(),
  };
}

/** A real daprd for one app, on free ports, with the project's components and configuration. */
export interface RunningSidecar extends Sidecar {
  appId: string;
  httpPort: number;
  logFile: string;
  /** The daprd process id (a new one after restart), for benchmarks that sample /proc. */
  readonly pid: number | undefined;
  /** Kill the sidecar abruptly (SIGKILL by default) — for crash tests. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Start it again on the same ports, as a supervisor would after a crash. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSidecar(options: SidecarOptions): Promise<RunningSidecar> {
  const { httpPort, grpcPort, internalGrpcPort, metricsPort } = options.ports ?? (await sidecarPorts());
  const logFile = join(testLogDir, `daprd-${options.logName ?? options.appId}.log`);
  const resources = [join(repoRoot, "dapr", "components"), ...(options.resourcesPaths ?? [])];
  const accessControl = join(repoRoot, "dapr", "access-control", `${options.appId}.yaml`);
  const cmd = [
    join(daprBinDir(), "daprd"),
    ...["--app-id", options.appId, "--mode", "standalone", "--log-level", "info"],
    ...["--dapr-http-port", `${httpPort}`, "--dapr-grpc-port", `${grpcPort}`],
    ...["--dapr-internal-grpc-port", `${internalGrpcPort}`, "--metrics-port", `${metricsPort}`],
    ...["--dapr-listen-addresses", "127.0.0.1", "--app-channel-address", "127.0.0.1"],
    ...(options.appPort ? ["--app-port", `${options.appPort}`, "--app-protocol", "http"] : []),
    ...resources.flatMap((path) => ["--resources-path", path]),
    ...["--config", options.configPath ?? join(repoRoot, "dapr", "config.yaml")],
    // Who may invoke this app (Dapr access control), on top of the shared configuration.
    ...(existsSync(accessControl) ? ["--config", accessControl] : []),
    ...["--placement-host-address", options.placementAddress],
    ...["--scheduler-host-address", options.schedulerAddress],
    ...(options.mtls ? ["--enable-mtls", "--sentry-address", options.mtls.sentryAddress] : []),
    ...(options.extraArgs ?? []),
  ];
  const env = {
    ...options.env,
    ...(options.mtls ? { DAPR_TRUST_ANCHORS: options.mtls.trustAnchors } : {}),
    // Read by the `envstore` component (dapr/components/envstore.yaml).
    NUDGE_DAPR_KAFKA_BROKERS: options.kafkaBrokers,
    NUDGE_DAPR_STATE_PG: options.databaseUrl,
  };
  let child: Child | undefined;
  const launch = async () => {
    child = startChild(`daprd ${options.appId}`, cmd, logFile, {
      env,
      cwd: repoRoot,
      append: child !== undefined,
    });
    await whenHealthy(child, `http://127.0.0.1:${httpPort}/v1.0/healthz`, 60_000);
  };
  await launch();
  return {
    appId: options.appId,
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpPort,
    grpcPort,
    logFile,
    get pid() {
      return child?.process.pid;
    },
    kill: async (signal = "SIGKILL") => {
      child?.process.kill(signal);
      await child?.process.exited;
    },
    restart: launch,
    stop: async () => {
      if (child) await stopChild(child);
    },
  };
}
