import { createHmac } from "node:crypto";

/** The identity provider the benchmark plays: the server under test is configured with it. */
export const BENCH_JWT = {
  secret: "bench-secret-for-task-api-0123456789abcdef",
  issuer: "https://auth.nudge.bench/",
  audience: "nudge-api",
};

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * An HS256 access token for `sub`. Signed with node:crypto rather than jose because the repo
 * root has no runtime dependencies; the server still verifies every token with jose.
 */
export function benchToken(sub: string, ttlSeconds = 12 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: "HS256", typ: "JWT" });
  const claims = base64url({
    sub,
    iss: BENCH_JWT.issuer,
    aud: BENCH_JWT.audience,
    iat: now,
    exp: now + ttlSeconds,
  });
  const signature = createHmac("sha256", BENCH_JWT.secret).update(`${header}.${claims}`).digest("base64url");
  return `${header}.${claims}.${signature}`;
}
