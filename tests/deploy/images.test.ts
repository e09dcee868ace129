/**
 * The container images run `bun build --compile` executables (Dockerfile). No container engine
 * runs here, so the tests build exactly those executables and run them: each serves /healthz
 * with no database behind it, stops on SIGTERM, and `<service> migrate` brings a real database
 * up to date (the Deployments' migrate init container).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nudge/db";
import { freePort, repoRoot, STARTUP_TIMEOUT_MS, testStack, waitFor } from "@nudge/testing";
import { buildDir, compileAll, type Executable, serviceNames, startupEnv } from "./executables.ts";

// External tools and child processes: on a busy 2-core machine they need more than 5 s.
setDefaultTimeout(60_000);

const services = serviceNames();
let executables = new Map<string, Executable>();
const running: Bun.Subprocess[] = [];

beforeAll(async () => {
  const started = performance.now();
  // mail-capture: the capture inbox the minikube overlay runs, built the same way.
  executables = await compileAll([...services.filter((s) => existsSync(binEntry(s))), "mail-capture"]);
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  const lines = [...executables.values()].map(
    (e) =>
      `  ${e.service.padEnd(22)} ${(e.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB  ${e.seconds.toFixed(1)} s`,
  );
  console.log(
    `compiled ${executables.size} service executables in ${wall} s (parallel):\n${lines.join("\n")}`,
  );
}, 180_000);

afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

function binEntry(service: string) {
  return join(repoRoot, "services", service, "src", "bin.ts");
}

function executable(service: string): string {
  const found = executables.get(service);
  if (!found) throw new Error(`${service} was not compiled (no ${binEntry(service)})`);
  return found.path;
}

async function run(service: string, args: string[], env: Record<string, string>) {
  const child = Bun.spawn([executable(service), ...args], {
    cwd: buildDir,
    env: { PATH: process.env.PATH ?? "", ...startupEnv[service], ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [code, out, err] = await Promise.all([
    child.exited,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  return { code, output: out + err };
}

describe("service executables", () => {
  test("every service has a src/bin.ts entry for its image", () => {
    expect(services.filter((service) => !existsSync(binEntry(service)))).toEqual([]);
  });

  for (const service of services) {
    test(`${service} starts from its executable, answers /healthz with no database, and stops on SIGTERM`, async () => {
      const port = await freePort();
      const child = Bun.spawn([executable(service)], {
        cwd: buildDir,
        env: {
          PATH: process.env.PATH ?? "",
          ...startupEnv[service],
          PORT: String(port),
          HOST: "127.0.0.1",
          // Nothing listens on the discard port: the liveness probe must not need the database.
          DATABASE_URL: "postgres://nudge@127.0.0.1:9/nudge",
          DAPR_HTTP_PORT: "9",
          DAPR_GRPC_PORT: "9",
        },
        stdout: "ignore",
        stderr: "pipe",
      });
      running.push(child);
      const health = await waitFor(
        `${service} /healthz`,
        async () => {
          if (child.exitCode !== null) throw new Error(`${service} exited with ${child.exitCode}`);
          const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
            signal: AbortSignal.timeout(1000),
          });
          return response.ok && response.json();
        },
        { timeoutMs: 15_000 },
      );
      expect(health).toEqual({ status: "ok" });
      child.kill("SIGTERM");
      const exited = await Promise.race([child.exited, Bun.sleep(10_000).then(() => "still running")]);
      expect(exited).toBe(0);
    });
  }

  test("the capture inbox for minikube compiles to one executable and answers /emails", async () => {
    const port = await freePort();
    const child = Bun.spawn([executable("mail-capture")], {
      cwd: buildDir,
      env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1" },
      stdout: "ignore",
      stderr: "pipe",
    });
    running.push(child);
    const emails = await waitFor(
      "mail-capture /emails",
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/emails`, {
          signal: AbortSignal.timeout(1000),
        });
        return response.ok && response.json();
      },
      { timeoutMs: 15_000 },
    );
    expect(emails).toBeDefined();
    child.kill("SIGTERM");
    await child.exited;
  });

  test("an unknown command exits with status 2 and prints the usage", async () => {
    const result = await run("task-api", ["bogus"], {});
    expect(result.code).toBe(2);
    expect(result.output).toContain("usage: task-api [serve|migrate]");
  });

  test(
    "`<service> migrate` applies the embedded migrations to PostgreSQL, then finds nothing to do",
    async () => {
      const { databaseUrl } = await testStack();
      const withMigrations = services.filter((s) => existsSync(join(repoRoot, "services", s, "migrations")));
      expect(withMigrations.length).toBeGreaterThan(0);
      for (const service of withMigrations) {
        const files = readdirSync(join(repoRoot, "services", service, "migrations"))
          .filter((name) => name.endsWith(".sql"))
          .map((name) => name.replace(/\.sql$/, ""))
          .sort();
        const schema = `deploy_${service.replaceAll("-", "_")}`;
        const env = { DATABASE_URL: databaseUrl, DB_SCHEMA: schema };

        const first = await run(service, ["migrate"], env);
        expect({ service, code: first.code, output: first.output }).toMatchObject({ code: 0 });
        expect(first.output).toContain(`applied ${files.length} migration(s)`);

        const sql = connect(databaseUrl, { schema, max: 1, applicationName: "deploy-test" });
        try {
          const rows = await sql.unsafe<{ version: string }[]>(
            `select version from "${schema}".schema_migrations order by version`,
          );
          expect(rows.map((row) => row.version)).toEqual(files);
        } finally {
          await sql.end();
        }

        const second = await run(service, ["migrate"], env);
        expect(second.code).toBe(0);
        expect(second.output).toContain("schema is up to date");
      }
    },
    STARTUP_TIMEOUT_MS,
  );
});
