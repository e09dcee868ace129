import { afterAll, describe, expect, test } from "bun:test";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { tokenVerifier } from "./auth.ts";
import { ProblemError } from "./problem.ts";

// An identity provider's JWKS endpoint on loopback: asymmetric keys, as in production.
const { publicKey, privateKey } = await generateKeyPair("RS256");
const other = await generateKeyPair("RS256");
const jwk = { ...(await exportJWK(publicKey)), kid: "key-1", alg: "RS256", use: "sig" };
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ keys: [jwk] }) });
afterAll(() => server.stop(true));

const verify = tokenVerifier({
  jwksUrl: `http://127.0.0.1:${server.port}/jwks`,
  issuer: "https://id.test/",
  audience: "nudge-api",
  maxLifetimeSeconds: 3600,
});
const sign = (key: CryptoKey, kid = "key-1") =>
  new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid })
    .setSubject("user-7")
    .setIssuer("https://id.test/")
    .setAudience("nudge-api")
    .setExpirationTime("5m")
    .sign(key);

describe("tokens verified against a JWKS URL", () => {
  test("a token signed by the provider's key yields its subject", async () => {
    expect(await verify(await sign(privateKey))).toBe("user-7");
  });

  test("a token signed by any other key is refused as 401", async () => {
    const refusal = await verify(await sign(other.privateKey)).catch((error) => error);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect(refusal.status).toBe(401);
  });
});
