import { type JwtSettings, jwtEnv, jwtSettings } from "@nudge/http";
import { type CommonConfig, ConfigError, commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { type Static, Type } from "@sinclair/typebox";
import { type LinkKeys, linkKey } from "./links/links.ts";

/** Its schema and pool size when the environment names none (`task-api migrate` reads them too). */
export const DATABASE = { schema: "task_api", poolMax: 10 };

/** Every environment variable task-api reads, with its default. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3000, ...DATABASE }),
  // The same token verification in every service with a public API: one identity provider.
  ...jwtEnv(),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
  OUTBOX_RETENTION_HOURS: Type.Number({ minimum: 0, default: 24 }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 50, default: 2000 }),
  // A row that keeps failing while others get through is parked after this many attempts.
  OUTBOX_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  OUTBOX_RETRY_MAX_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  OUTBOX_PUBLISH_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  // Under Kafka's 1 MiB message limit, with room for what Dapr adds to the envelope.
  OUTBOX_MAX_EVENT_BYTES: Type.Integer({ minimum: 1024, default: 1_000_000 }),
  // Bearer token of the operator routes (/operator/outbox); unset, they refuse everything.
  OPERATOR_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  /** Where people reach task-api: Location headers and every link in emails start with it. */
  PUBLIC_BASE_URL: Type.String({ pattern: "^https?://[^\\s]+$", default: "http://127.0.0.1:3000" }),
  /** Signs the links in emails (HMAC-SHA256); rotate by moving it to EMAIL_LINK_KEY_PREVIOUS. */
  EMAIL_LINK_KEY: Type.String({ minLength: 32 }),
  /** Still accepted after a rotation, until the links it signed have expired. */
  EMAIL_LINK_KEY_PREVIOUS: Type.Optional(Type.String({ minLength: 32 })),
  /** How long a reminder's or digest's action links (done, snooze, open) work after it was due. */
  EMAIL_ACTION_LINK_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 90, default: 24 * 7 }),
  /** How long an email's first snooze link postpones a reminder (the "Snooze 1 hour" button). */
  EMAIL_SNOOZE_SECONDS: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 3600 }),
  /** How long settings and unsubscribe links work. */
  EMAIL_SETTINGS_LINK_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 90 }),
  // Prometheus metrics: their own port, on HOST like the API, never on the public one; unset, no
  // metrics are served (k8s sets 9464, ./nudge 9464 + NUDGE_PORT_OFFSET).
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
});
type Env = Static<typeof Env>;

export interface Config extends CommonConfig {
  jwt: JwtSettings;
  outbox: {
    batchSize: number;
    retentionHours: number;
    pollMs: number;
    maxAttempts: number;
    retryMaxMs: number;
    publishTimeoutMs: number;
    maxEventBytes: number;
  };
  operatorToken?: string;
  publicBaseUrl: string;
  emailLinks: {
    keys: LinkKeys;
    actionTtlSeconds: number;
    settingsTtlSeconds: number;
    snoozeSeconds: number;
  };
  metricsPort?: number;
}

/** Parse the environment once, at start; a bad or missing variable stops the service by name. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e: Env = parseEnv(Env, env);
  if (e.EMAIL_LINK_KEY_PREVIOUS === e.EMAIL_LINK_KEY) {
    throw new ConfigError(
      "invalid configuration:\n  EMAIL_LINK_KEY_PREVIOUS must differ from EMAIL_LINK_KEY",
    );
  }
  return {
    ...commonConfig(e),
    jwt: jwtSettings(e),
    outbox: {
      batchSize: e.OUTBOX_BATCH_SIZE,
      retentionHours: e.OUTBOX_RETENTION_HOURS,
      pollMs: e.OUTBOX_POLL_MS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      retryMaxMs: e.OUTBOX_RETRY_MAX_MS,
      publishTimeoutMs: e.OUTBOX_PUBLISH_TIMEOUT_MS,
      maxEventBytes: e.OUTBOX_MAX_EVENT_BYTES,
    },
    operatorToken: e.OPERATOR_TOKEN,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ""),
    emailLinks: {
      keys: {
        current: linkKey(e.EMAIL_LINK_KEY),
        ...(e.EMAIL_LINK_KEY_PREVIOUS ? { previous: linkKey(e.EMAIL_LINK_KEY_PREVIOUS) } : {}),
      },
      actionTtlSeconds: e.EMAIL_ACTION_LINK_TTL_HOURS * 3600,
      settingsTtlSeconds: e.EMAIL_SETTINGS_LINK_TTL_DAYS * 86_400,
      snoozeSeconds: e.EMAIL_SNOOZE_SECONDS,
    },
    metricsPort: e.METRICS_PORT,
  };
}
