import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "./config.ts";

const minimal = {
  DATABASE_URL: "postgres://nudge@127.0.0.1:5432/nudge",
  JWT_SECRET: "a-secret-that-is-at-least-32-characters",
  JWT_ISSUER: "issuer",
  JWT_AUDIENCE: "audience",
};

describe("task-api configuration", () => {
  test("defaults fill in everything optional", () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      port: 3000,
      database: { schema: "task_api", poolMax: 10 },
      sidecar: { httpUrl: "http://127.0.0.1:3500", grpcPort: 50001 },
      outbox: { batchSize: 200, pollMs: 2000, retentionHours: 24 },
    });
  });

  test("a missing variable stops the start, naming it", () => {
    const { DATABASE_URL: _, ...rest } = minimal;
    expect(() => loadConfig(rest)).toThrow(/DATABASE_URL/);
  });

  test("a malformed number is named too", () => {
    expect(() => loadConfig({ ...minimal, PORT: "eighty" })).toThrow(/PORT/);
  });

  test("exactly one of JWT_SECRET and JWT_JWKS_URL must be set", () => {
    expect(() => loadConfig({ ...minimal, JWT_JWKS_URL: "https://id.example/jwks" })).toThrow(ConfigError);
    const { JWT_SECRET: _, ...noKey } = minimal;
    expect(() => loadConfig(noKey)).toThrow(/exactly one of JWT_SECRET/);
  });
});
