/**
 * The reminder path as it runs in production, for the benchmark: task-api and each
 * notification-service replica in its own process with its own daprd (so each one's CPU and
 * memory are its own), on this run's database, control plane and Kafka; the Resend stand-in
 * in the benchmark's process (it plays the outside world, not part of the system measured).
 */
import { join } from "node:path";
import { connect } from "../../../packages/db/src/index.ts";
import { type MailCapture, startMailCapture } from "../../../packages/mail-capture/src/index.ts";
import {
  freePort,
  type RunningSidecar,
  repoRoot,
  type ServiceProcess,
  serviceProcess,
  sidecarPorts,
  type TestStack,
  testStack,
  waitFor,
} from "../../../packages/testing/src/index.ts";
import { testLogDir } from "../../../packages/testing/src/paths.ts";
import { migrations as notificationMigrations } from "../../../services/notification-service/src/migrate.ts";
import { migrations as taskApiMigrations } from "../../../services/task-api/src/migrate.ts";
import { notificationEnv, SCHEMA, untilRemindersFlow } from "../../../tests/notification-service/fixture.ts";
import { APP_API_TOKEN, taskApiEnv } from "../../../tests/task-api/fixture.ts";

export interface SystemOptions {
  replicas: number;
  /** Extra environment for every notification-service replica (its knobs). */
  notificationEnv?: Record<string, string>;
  /** Go pprof on every daprd (--enable-profiling) and bun --cpu-prof on the apps. */
  profile?: { dir: string };
}

export interface Replica {
  index: number;
  app: ServiceProcess;
  sidecar: RunningSidecar;
  profilePort?: number;
  /** Kill the whole replica at once, app and sidecar, as a node failure would. */
  kill(): Promise<void>;
  killed: boolean;
}

/** An HTTP client for task-api's public API, shaped like the test fixture's. */
function apiClient(baseUrl: string) {
  return {
    baseUrl,
    async request(
      method: string,
      path: string,
      options: { body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] ??= "application/json";
      }
      const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
      const text = await response.text();
      const json =
        text && /json/.test(response.headers.get("content-type") ?? "") ? JSON.parse(text) : undefined;
      return { status: response.status, body: json, text };
    },
  };
}

async function profiledSidecar(
  stack: TestStack,
  options: Parameters<TestStack["sidecar"]>[0],
  profile: SystemOptions["profile"],
) {
  const profilePort = profile ? await freePort() : undefined;
  const extraArgs = profilePort ? ["--enable-profiling", "--profile-port", String(profilePort)] : [];
  const sidecar = await stack.sidecar({ ...options, extraArgs });
  return { sidecar, profilePort };
}

export async function startBenchSystem(options: SystemOptions) {
  const stack = await testStack();
  const mail: MailCapture = await startMailCapture({ port: 0 });
  const bunFlags = (name: string) =>
    options.profile
      ? ["--cpu-prof-md", `--cpu-prof-dir=${options.profile.dir}`, `--cpu-prof-name=${name}.md`]
      : [];

  await taskApiMigrations.apply(stack.databaseUrl, "task_api");
  const apiPort = await freePort();
  const apiPorts = await sidecarPorts();
  const taskApi = serviceProcess(
    "task-api",
    apiPort,
    { ...taskApiEnv(stack.databaseUrl, "task_api", apiPort, apiPorts), LOG_LEVEL: "warn" },
    { bunFlags: bunFlags("task-api"), stdoutFile: join(testLogDir, "task-api-bench.log") },
  );
  await taskApi.start();
  const api = await profiledSidecar(
    stack,
    { appId: "task-api", appPort: apiPort, ports: apiPorts, env: { APP_API_TOKEN } },
    options.profile,
  );

  await notificationMigrations.apply(stack.databaseUrl, SCHEMA);
  const replicas: Replica[] = [];
  for (let index = 0; index < options.replicas; index++) {
    const port = await freePort();
    const ports = await sidecarPorts();
    const app = serviceProcess(
      "notification-service",
      port,
      {
        ...notificationEnv(stack.databaseUrl, port, ports, mail.url),
        LOG_LEVEL: "warn",
        ...options.notificationEnv,
      },
      {
        bunFlags: bunFlags(`notification-service-${index + 1}`),
        stdoutFile: join(testLogDir, `notification-service-bench-${index + 1}.log`),
      },
    );
    await app.start();
    const { sidecar, profilePort } = await profiledSidecar(
      stack,
      {
        appId: "notification-service",
        appPort: port,
        ports,
        resourcesPaths: [join(repoRoot, "dapr", "subscriptions")],
        env: { APP_API_TOKEN },
        logName: `notification-service-bench-${index + 1}`,
      },
      options.profile,
    );
    const replica: Replica = {
      index: index + 1,
      app,
      sidecar,
      profilePort,
      killed: false,
      async kill() {
        replica.killed = true;
        await Promise.all([app.kill("SIGKILL"), sidecar.kill("SIGKILL")]);
      },
    };
    replicas.push(replica);
  }

  const sql = connect(stack.databaseUrl, { schema: SCHEMA, max: 2, applicationName: "reminders-bench" });
  await untilRemindersFlow(api, sql);

  return {
    stack,
    mail,
    api: apiClient(`http://127.0.0.1:${apiPort}`),
    taskApi: { app: taskApi, sidecar: api.sidecar, profilePort: api.profilePort },
    replicas,
    sql,
    async stop() {
      await sql.end({ timeout: 5 });
      for (const replica of replicas) {
        if (replica.killed) continue;
        await replica.app.kill("SIGTERM");
        await replica.sidecar.stop();
      }
      await taskApi.kill("SIGTERM");
      await api.sidecar.stop();
      await mail.stop();
    },
  };
}

export type BenchSystem = Awaited<ReturnType<typeof startBenchSystem>>;

/** Wait for a daprd's pprof CPU profile over `seconds` and save it (Go's pprof format). */
export async function daprdCpuProfile(port: number, seconds: number, path: string) {
  const response = await fetch(`http://127.0.0.1:${port}/debug/pprof/profile?seconds=${seconds}`);
  if (!response.ok) throw new Error(`pprof on :${port} answered ${response.status}`);
  await Bun.write(path, await response.arrayBuffer());
}

export { waitFor };
