import { Elysia } from "elysia";
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { unauthorized } from "./problem.ts";

export type VerifyToken = (token: string) => Promise<string>;

/** Exactly one of `secret` (HS256) and `jwksUrl` (asymmetric keys); each service's config checks that. */
export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
}

/**
 * Bearer-JWT verification: HS256 with a shared secret, or asymmetric keys from a JWKS URL.
 * Issuer and audience are checked, clock skew is tolerated up to 60 s, and `alg: none` or an
 * algorithm outside the allowed list never verifies. Resolves to the `sub` (the user id).
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
        clockTolerance: 60,
      });
      if (typeof payload.sub !== "string" || payload.sub.length === 0 || payload.sub.length > 200) {
        throw unauthorized("the token has no usable subject");
      }
      return payload.sub;
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw unauthorized("the token has expired");
      if (error instanceof errors.JOSEError) throw unauthorized(`the token is not valid (${error.code})`);
      throw error;
    }
  };
}

/** Derives `userId` for every route registered after it; no token, no entry. */
export const authentication = (verify: VerifyToken) =>
  new Elysia({ name: "authentication" }).derive({ as: "scoped" }, async ({ headers }) => {
    return { userId: await verify(bearerToken(headers.authorization)) };
  });

/** The token of an `Authorization: Bearer <token>` header; 401 when missing or malformed. */
export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized("an Authorization: Bearer <token> header is required");
  const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(header);
  if (!match?.[1]) throw unauthorized("the Authorization header must be 'Bearer <token>'");
  return match[1];
}
