import { describe, expect, test } from "bun:test";
import { ConfigError, loadDatabaseConfig } from "@nudge/service";
import { DATABASE, loadConfig } from "./config.ts";

const minimal = {
  DATABASE_URL: "postgres://nudge@127.0.0.1:5432/nudge",
  JWT_SECRET: "a-secret-that-is-at-least-32-characters",
  JWT_ISSUER: "issuer",
  JWT_AUDIENCE: "audience",
  EMAIL_LINK_KEY: "an-email-link-key-of-at-least-32-chars",
};

describe("task-api configuration", () => {
  test("defaults fill in everything optional", () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      port: 3000,
      database: { schema: "task_api", poolMax: 10 },
      sidecar: { httpUrl: "http://127.0.0.1:3500", grpcPort: 50001 },
      outbox: { batchSize: 200, pollMs: 2000, retentionHours: 24 },
      publicBaseUrl: "http://127.0.0.1:3000",
      emailLinks: { actionTtlSeconds: 7 * 86_400, settingsTtlSeconds: 90 * 86_400 },
    });
    expect(config.emailLinks.keys.previous).toBeUndefined();
  });

  test("email links need a signing key; a previous key is accepted beside it, never the same one", () => {
    const { EMAIL_LINK_KEY: _, ...noKey } = minimal;
    expect(() => loadConfig(noKey)).toThrow(/EMAIL_LINK_KEY/);
    const rotating = loadConfig({
      ...minimal,
      EMAIL_LINK_KEY_PREVIOUS: "the-key-used-before-the-rotation-000",
    });
    expect(rotating.emailLinks.keys.previous?.id).toHaveLength(8);
    expect(rotating.emailLinks.keys.previous?.id).not.toBe(rotating.emailLinks.keys.current.id);
    expect(() => loadConfig({ ...minimal, EMAIL_LINK_KEY_PREVIOUS: minimal.EMAIL_LINK_KEY })).toThrow(
      /must differ/,
    );
  });

  test("migrations need only the database, none of the service's secrets", () => {
    expect(loadDatabaseConfig(DATABASE, { DATABASE_URL: minimal.DATABASE_URL })).toEqual({
      database: { url: minimal.DATABASE_URL, schema: "task_api", poolMax: 10 },
    });
    expect(() => loadDatabaseConfig(DATABASE, {})).toThrow(/DATABASE_URL/);
  });

  test("the public base URL is an absolute http(s) URL, kept without a trailing slash", () => {
    expect(loadConfig({ ...minimal, PUBLIC_BASE_URL: "https://nudge.example/" }).publicBaseUrl).toBe(
      "https://nudge.example",
    );
    expect(() => loadConfig({ ...minimal, PUBLIC_BASE_URL: "nudge.example" })).toThrow(/PUBLIC_BASE_URL/);
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
