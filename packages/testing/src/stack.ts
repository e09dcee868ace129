import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type ControlPlane, startControlPlane } from "./control-plane.ts";
import { createDatabase, type Infra, startInfra } from "./infra.ts";
import { cacheDir } from "./paths.ts";
import { type RunningSidecar, type SidecarOptions, startSidecar } from "./sidecar.ts";

/**
 * Everything an integration suite runs against, started once per `bun test` process on first
 * use and stopped when the process's tests end (see preload.ts).
 */
export interface TestStack {
  infra: Infra;
  controlPlane: ControlPlane;
  /** A database of its own for this test run (Dapr state, app tables). */
  databaseUrl: string;
  /** A folder of this run's own (removed when the stack stops): files its sidecars read. */
  runDir: string;
  sidecar(
    options: Pick<
      SidecarOptions,
      "appId" | "appPort" | "resourcesPaths" | "ports" | "env" | "logName" | "configPath" | "extraArgs"
    >,
  ): Promise<RunningSidecar>;
}

let starting: Promise<TestStack> | undefined;
const cleanups: Array<() => Promise<void>> = [];

export function testStack(): Promise<TestStack> {
  starting ??= start();
  return starting;
}

async function start(): Promise<TestStack> {
  const infra = await startInfra();
  cleanups.push(() => infra.stop());
  const database = await createDatabase(
    infra.databaseUrl,
    `nudge_test_${process.pid}_${Date.now().toString(36)}`,
  );
  cleanups.push(() => database.drop());
  const controlPlane = await startControlPlane();
  cleanups.push(() => controlPlane.stop());
  // A name-resolution file of this run's own (dapr/config.yaml reads it from the environment):
  // sidecars find this run's apps only — never those of a stack or another run on the machine.
  const runDir = join(cacheDir, "run", database.name);
  mkdirSync(runDir, { recursive: true });
  cleanups.push(async () => rmSync(runDir, { recursive: true, force: true }));
  const nameResolution = join(runDir, "nameresolution.db");
  return {
    infra,
    controlPlane,
    databaseUrl: database.url,
    runDir,
    sidecar: async (options) => {
      const sidecar = await startSidecar({
        ...options,
        placementAddress: controlPlane.placementAddress,
        schedulerAddress: controlPlane.schedulerAddress,
        databaseUrl: database.url,
        kafkaBrokers: infra.kafkaBrokers,
        env: { NUDGE_NAME_RESOLUTION_DB: nameResolution, ...options.env },
        mtls: { sentryAddress: controlPlane.sentryAddress, trustAnchors: controlPlane.trustAnchors },
      });
      cleanups.push(() => sidecar.stop());
      return sidecar;
    },
  };
}

/** Stops what the stack started, newest first. Errors are collected, not swallowed. */
export async function stopTestStack(): Promise<void> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch((error) => errors.push(error));
  }
  cleanups.length = 0;
  starting = undefined;
  if (errors.length) throw new AggregateError(errors, "stopping the test stack failed");
}
