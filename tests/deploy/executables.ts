import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, shardFolder } from "@nudge/testing";

/**
 * Where the tests put compiled service executables (inside the cache, git-ignored); a shard's
 * own folder when the suite runs as parallel processes, so one never runs an executable another
 * is rewriting.
 */
export const buildDir = join(
  process.env.NUDGE_CACHE ?? join(repoRoot, ".cache"),
  "build",
  ...(shardFolder ? [shardFolder] : []),
);

/** Every folder under services/ with a package.json is a service, and so gets an image. */
export function serviceNames(): string[] {
  return readdirSync(join(repoRoot, "services"), { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(repoRoot, "services", entry.name, "package.json")),
    )
    .map((entry) => entry.name)
    .sort();
}

/**
 * What each service needs in its environment just to start (its config.ts refuses to run
 * without these); the database is deliberately unreachable: /healthz must not depend on it.
 * A new service with required variables adds its own line.
 */
export const startupEnv: Record<string, Record<string, string>> = {
  "task-api": {
    JWT_SECRET: "deploy-test-secret-0123456789abcdef0123",
    JWT_ISSUER: "https://auth.nudge.test/",
    JWT_AUDIENCE: "nudge-api",
    EMAIL_LINK_KEY: "deploy-test-email-link-key-0123456789ab",
  },
  "notification-service": { RESEND_API_KEY: "re_deploy_test" },
  "audit-service": {
    JWT_SECRET: "deploy-test-secret-0123456789abcdef0123",
    JWT_ISSUER: "https://auth.nudge.test/",
    JWT_AUDIENCE: "nudge-api",
  },
  "realtime-gateway": {
    JWT_SECRET: "deploy-test-secret-0123456789abcdef0123",
    JWT_ISSUER: "https://auth.nudge.test/",
    JWT_AUDIENCE: "nudge-api",
  },
};

export interface Executable {
  service: string;
  path: string;
  bytes: number;
  seconds: number;
}

/** Compile every service at once, each in its own `bun scripts/compile-service.ts` process. */
export async function compileAll(services: string[]): Promise<Map<string, Executable>> {
  mkdirSync(buildDir, { recursive: true });
  const built = await Promise.all(
    services.map(async (service): Promise<Executable> => {
      const path = join(buildDir, service);
      const started = performance.now();
      const child = Bun.spawn(["bun", join(repoRoot, "scripts", "compile-service.ts"), service, path], {
        cwd: repoRoot,
        stdout: "pipe",
        stderr: "pipe",
      });
      const [code, out, err] = await Promise.all([
        child.exited,
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
      ]);
      if (code !== 0) throw new Error(`compiling ${service} failed (exit ${code}):\n${out}${err}`);
      return { service, path, bytes: Bun.file(path).size, seconds: (performance.now() - started) / 1000 };
    }),
  );
  return new Map(built.map((executable) => [executable.service, executable]));
}
