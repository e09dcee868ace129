import { ConfigError } from "@nudge/service";
import { type Static, type TObject, Type } from "@sinclair/typebox";
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { unauthorized } from "./problem.ts";

export type VerifyToken = (token: string) => Promise<string>;

/** Exactly one of `secret` (HS256) and `jwksUrl` (asymmetric keys); `jwtSettings` checks that. */
export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  /** A token must expire, and no later than this many seconds after it was issued (or from now). */
  maxLifetimeSeconds: number;
}

const CLOCK_TOLERANCE_SECONDS = 60;

/** The environment variables of bearer-JWT verification, for every service with a public API. */
export const jwtEnv = () => ({
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_JWKS_URL: Type.Optional(Type.String({ pattern: "^https?://" })),
  JWT_ISSUER: Type.String({ minLength: 1 }),
  JWT_AUDIENCE: Type.String({ minLength: 1 }),
  /** Tokens without `exp`, or living longer than this, are refused. */
  JWT_MAX_LIFETIME_SECONDS: Type.Integer({ minimum: 60, maximum: 31 * 86_400, default: 86_400 }),
});

export function jwtSettings(e: Static<TObject<ReturnType<typeof jwtEnv>>>): JwtSettings {
  if (!e.JWT_SECRET === !e.JWT_JWKS_URL) {
    throw new ConfigError("invalid configuration:\n  set exactly one of JWT_SECRET (HS256) and JWT_JWKS_URL");
  }
  return {
    secret: e.JWT_SECRET,
    jwksUrl: e.JWT_JWKS_URL,
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    maxLifetimeSeconds: e.JWT_MAX_LIFETIME_SECONDS,
  };
}

/** A subject we can store and compare: 1–200 code points, no U+0000, no lone surrogates. */
const usableSubject = (sub: unknown): sub is string =>
  typeof sub === "string" &&
  sub.length > 0 &&
  [...sub].length <= 200 &&
  !sub.includes("\u0000") &&
  sub.isWellFormed();

/**
 * Bearer-JWT verification: HS256 with a shared secret, or asymmetric keys from a JWKS URL.
 * Issuer and audience are checked, `exp` is required and bounded by the maximum lifetime, clock
 * skew is tolerated up to 60 s, and `alg: none` or an algorithm outside the allowed list never
 * verifies. Resolves to the `sub` (the user id).
 */
export function tokenVerifier(jwt: JwtSettings): VerifyToken {
  const key: Uint8Array | JWTVerifyGetKey = jwt.secret
    ? new TextEncoder().encode(jwt.secret)
    : createRemoteJWKSet(new URL(jwt.jwksUrl as string));
  const algorithms = jwt.secret ? ["HS256"] : ["RS256", "PS256", "ES256", "EdDSA"];
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, key as Uint8Array, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ["exp"],
      });
      const exp = payload.exp as number;
      const from = typeof payload.iat === "number" ? payload.iat : Date.now() / 1000;
      if (exp - from > jwt.maxLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) {
        throw unauthorized(`the token lives longer than the allowed ${jwt.maxLifetimeSeconds} s`);
      }
      if (!usableSubject(payload.sub)) throw unauthorized("the token has no usable subject");
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized("the token has expired");
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === "exp") {
        throw unauthorized("the token has no expiry (exp)");
      }
      if (error instanceof errors.JOSEError) throw unauthorized(`the token is not valid (${error.code})`);
      throw error;
    }
  };
}

/** The token of an `Authorization: Bearer <token>` header; 401 when missing or malformed. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized("an Authorization: Bearer <token> header is required");
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  if (!match?.[1]) throw unauthorized("the Authorization header must be 'Bearer <token>'");
  return match[1];
}
