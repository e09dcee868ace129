import type { GenericContainer, StartedTestContainer } from "testcontainers";
import { freePort } from "./ports.ts";

/**
 * PostgreSQL and a Kafka-protocol broker as Testcontainers, on any Docker API: Docker itself,
 * or podman's (`podman system service`, what `NUDGE_TEST_INFRA=containers ./nudge test` starts
 * where no Docker runs). Images come from a registry by default — postgres:16-alpine and
 * Redpanda — or, where none is reachable, from locally built ones named by
 * NUDGE_TEST_POSTGRES_IMAGE (the official image's environment contract) and
 * NUDGE_TEST_KAFKA_IMAGE (Apache Kafka, scripts/cluster/images/kafka-entrypoint.sh).
 * Every published port is bound to 127.0.0.1 only. Loaded only in containers mode, so the
 * local path never needs the Docker libraries.
 */
export interface ContainerInfra {
  databaseUrl: string;
  kafkaBrokers: string;
  stop(): Promise<void>;
}

type Env = Record<string, string | undefined>;

/** Testcontainers publishes on every interface; nothing of a test run may be reachable from outside. */
function loopbackOnly<T extends GenericContainer>(container: T): T {
  const { hostConfig } = container as unknown as {
    hostConfig: { PortBindings?: Record<string, Array<{ HostPort: string; HostIp?: string }>> };
  };
  for (const bindings of Object.values(hostConfig.PortBindings ?? {})) {
    for (const binding of bindings) binding.HostIp = "127.0.0.1";
  }
  return container;
}

async function startPostgres(env: Env) {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const { Wait } = await import("testcontainers");
  const container = new PostgreSqlContainer(env.NUDGE_TEST_POSTGRES_IMAGE ?? "postgres:16-alpine")
    .withUsername("nudge")
    .withPassword("nudge")
    // The module waits for a container health check, which only an engine that runs them
    // reports (podman without systemd never does). The image's initialisation listens on the
    // Unix socket only, so the TCP port opening is the same signal.
    .withWaitStrategy(Wait.forListeningPorts());
  return loopbackOnly(container).start();
}

async function startKafkaImage(image: string, topics: readonly string[]) {
  const { GenericContainer, Wait } = await import("testcontainers");
  // Advertised as the host sees it, so the port is chosen before the broker starts.
  const port = await freePort();
  const output = outputTail();
  const container = new GenericContainer(image)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({ KAFKA_ADVERTISED_LISTENER: `127.0.0.1:${port}`, KAFKA_HEAP: "-Xms128m -Xmx512m" })
    // Ready once the broker's in-container listener accepts, asked from inside in one exec;
    // topic creation below then retries until the broker answers requests. A broker that exits
    // instead fails the start with its output: Testcontainers removes a container that never
    // got ready, and "Log stream ended" alone once hid an entrypoint that gave the storage tool
    // a cluster id beginning with "-" (scripts/cluster/images/kafka-entrypoint.sh).
    .withWaitStrategy(
      Wait.forSuccessfulCommand(
        "timeout 170 bash -c 'until echo >/dev/tcp/127.0.0.1/9094; do sleep 0.5; done' 2>/dev/null",
      ),
    )
    .withLogConsumer(output.consume)
    .withStartupTimeout(180_000);
  const started = await loopbackOnly(container)
    .start()
    .catch((error) => {
      throw new Error(`the Kafka container (${image}) did not start: ${error}\n${output.text()}`);
    });
  const created = await started.exec(["nudge-kafka", "topics", "127.0.0.1:9094", ...topics]);
  if (created.exitCode !== 0)
    throw new Error(`could not create topics ${topics.join(", ")}: ${created.output}\n${output.text()}`);
  return { container: started as StartedTestContainer, brokers: `127.0.0.1:${port}` };
}

/** The last lines a container printed, for the error when it does not come up. */
function outputTail(lines = 40) {
  let tail: string[] = [];
  return {
    consume: (stream: NodeJS.ReadableStream) => {
      stream.on("data", (chunk: Buffer | string) => {
        tail = [...tail, ...String(chunk).split("\n").filter(Boolean)].slice(-lines);
      });
    },
    text: () => `--- container output (last ${lines} lines) ---\n${tail.join("\n") || "(none)"}`,
  };
}

async function startRedpanda(topics: readonly string[]) {
  const { RedpandaContainer } = await import("@testcontainers/redpanda");
  const redpanda = await loopbackOnly(
    new RedpandaContainer("docker.redpanda.com/redpandadata/redpanda:v24.2.4"),
  ).start();
  for (const topic of topics) {
    const result = await redpanda.exec(["rpk", "topic", "create", topic, "-p", "6"]);
    if (result.exitCode !== 0) throw new Error(`could not create topic ${topic}: ${result.output}`);
  }
  return {
    container: redpanda as StartedTestContainer,
    brokers: redpanda.getBootstrapServers().replace(/^PLAINTEXT:\/\//, ""),
  };
}

export async function startContainers(env: Env, topics: readonly string[]): Promise<ContainerInfra> {
  const [pg, kafka] = await Promise.all([
    startPostgres(env),
    env.NUDGE_TEST_KAFKA_IMAGE ? startKafkaImage(env.NUDGE_TEST_KAFKA_IMAGE, topics) : startRedpanda(topics),
  ]);
  return {
    databaseUrl: pg.getConnectionUri(),
    kafkaBrokers: kafka.brokers,
    stop: async () => {
      await Promise.all([pg.stop(), kafka.container.stop()]);
    },
  };
}
