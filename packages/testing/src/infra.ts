import { existsSync } from "node:fs";
import { connect } from "node:net";
import postgres from "postgres";

/**
 * PostgreSQL and a Kafka-protocol broker for integration tests.
 * NUDGE_TEST_INFRA chooses: `containers` (Testcontainers: PostgreSQL + Redpanda or Apache
 * Kafka, see containers.ts), `local` (the stack `./nudge up --infra` runs, located by
 * DATABASE_URL and KAFKA_BROKERS), or `auto` (the default: containers when a Docker engine
 * answers, local otherwise). Nothing is ever skipped:
 * an unreachable dependency fails the run with the command that fixes it.
 */
export interface Infra {
  mode: "local" | "containers";
  /** Server-level URL; suites get their own database from `createDatabase`. */
  databaseUrl: string;
  kafkaBrokers: string;
  stop(): Promise<void>;
}

export const TOPICS = ["task-events", "task-updates", "reminders", "dlq-events"] as const;

export async function startInfra(env: Record<string, string | undefined> = process.env): Promise<Infra> {
  const wanted = env.NUDGE_TEST_INFRA ?? "auto";
  if (!["auto", "local", "containers"].includes(wanted)) {
    throw new Error(`NUDGE_TEST_INFRA must be auto, local or containers (got ${wanted})`);
  }
  const mode = wanted === "auto" ? ((await dockerAnswers(env.DOCKER_HOST)) ? "containers" : "local") : wanted;
  return mode === "containers" ? startContainers(env) : useLocalStack(env);
}

async function useLocalStack(env: Record<string, string | undefined>): Promise<Infra> {
  const databaseUrl = env.DATABASE_URL;
  const kafkaBrokers = env.KAFKA_BROKERS;
  if (!databaseUrl || !kafkaBrokers) {
    throw new Error(
      "integration tests need PostgreSQL and Kafka: run them with ./nudge test, or start the stack with ./nudge up --infra and export the lines of ./nudge env",
    );
  }
  const sql = postgres(databaseUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    throw new Error(
      `PostgreSQL at ${redact(databaseUrl)} is not reachable (${error}): run ./nudge up --infra`,
    );
  } finally {
    await sql.end();
  }
  const [host, port] = (kafkaBrokers.split(",")[0] ?? "").split(":");
  if (!(await tcpAnswers(host ?? "127.0.0.1", Number(port)))) {
    throw new Error(`Kafka at ${kafkaBrokers} is not reachable: run ./nudge up --infra`);
  }
  return { mode: "local", databaseUrl, kafkaBrokers, stop: async () => {} };
}

async function startContainers(env: Record<string, string | undefined>): Promise<Infra> {
  // Loaded only here so the local path never needs Docker libraries.
  const { startContainers: start } = await import("./containers.ts");
  return { mode: "containers", ...(await start(env, TOPICS)) };
}

/** A fresh database on the infra's server, dropped by the returned `drop`. */
export async function createDatabase(serverUrl: string, name: string) {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.end();
    },
  };
}

async function dockerAnswers(host: string | undefined): Promise<boolean> {
  if (host && !host.startsWith("unix://")) return true; // remote engine: let Testcontainers try it
  const socket = host?.replace("unix://", "") ?? "/var/run/docker.sock";
  if (!existsSync(socket)) return false;
  try {
    const response = await fetch("http://localhost/_ping", {
      unix: socket,
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, "//$1:***@");
}
