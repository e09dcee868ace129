import { type JwtSettings, jwtEnv, jwtSettings } from "@nudge/http";
import { type CommonConfig, commonConfig, commonEnv, parseEnv } from "@nudge/service";
import { Type } from "@sinclair/typebox";

/** Its schema and pool size when the environment names none (`audit-service migrate` reads them too). */
export const DATABASE = { schema: "audit_service", poolMax: 8 };

/** Every environment variable audit-service reads. Nothing else reads process.env. */
const Env = Type.Object({
  ...commonEnv({ port: 3003, ...DATABASE }),
  // The same token verification in every service with a public API: one identity provider.
  ...jwtEnv(),
  /** Bearer token for the operator endpoints (dead letters); without it they refuse everything. */
  OPERATOR_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  /** History older than this is deleted by the retention job. */
  AUDIT_RETENTION_DAYS: Type.Number({ minimum: 0.0001, default: 90 }),
  /** The Dapr Jobs schedule of the retention job (cron with seconds, or @daily/@every …). */
  AUDIT_RETENTION_SCHEDULE: Type.String({ minLength: 1, default: "@daily" }),
  /** Rows deleted per statement: short transactions, no long locks. */
  AUDIT_RETENTION_BATCH: Type.Integer({ minimum: 1, maximum: 100_000, default: 5000 }),
});

export interface Config extends CommonConfig {
  operatorToken?: string;
  jwt: JwtSettings;
  retention: { days: number; schedule: string; batchSize: number };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnv(Env, env);
  return {
    ...commonConfig(e),
    operatorToken: e.OPERATOR_TOKEN,
    jwt: jwtSettings(e),
    retention: {
      days: e.AUDIT_RETENTION_DAYS,
      schedule: e.AUDIT_RETENTION_SCHEDULE,
      batchSize: e.AUDIT_RETENTION_BATCH,
    },
  };
}
