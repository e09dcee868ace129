import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { LINK_ACTIONS, type LinkClaims, linkKey, signLink, verifyLink } from "./links.ts";

const SEED = Number(process.env.LINK_PROPERTY_SEED ?? Date.now() % 2_147_483_647);
console.log(`email link properties: seed ${SEED} (LINK_PROPERTY_SEED=${SEED} reproduces)`);
const runs = { seed: SEED, numRuns: 300 };

const current = linkKey("current-signing-key-for-tests-0123456789");
const previous = linkKey("previous-signing-key-for-tests-012345678");
const NOW = new Date("2030-01-01T00:00:00Z");
const future = NOW.getTime() / 1000 + 3600;

const claims = fc.record(
  {
    action: fc.constantFrom(...LINK_ACTIONS),
    userId: fc.string({ minLength: 1, maxLength: 200 }),
    expiresAt: fc.integer({ min: future, max: future + 10 ** 8 }),
    taskId: fc.uuid(),
    taskVersion: fc.integer({ min: 1, max: 2 ** 31 }),
    reminderId: fc.uuid(),
    occurrenceKey: fc.string({ minLength: 1, maxLength: 200 }),
    list: fc.constantFrom("reminders" as const, "digest" as const),
  },
  { requiredKeys: ["action", "userId", "expiresAt"] },
);

describe("signed email links", () => {
  test("a link verifies to exactly the claims it was signed with", () => {
    fc.assert(
      fc.property(claims, (signed) => {
        const check = verifyLink({ current }, signLink({ current }, signed), NOW);
        expect(check).toMatchObject({ valid: true, signedWithPrevious: false });
        expect(check.valid && check.claims).toEqual(signed as LinkClaims);
      }),
      runs,
    );
  });

  test("changing any character of a link makes it invalid", () => {
    fc.assert(
      fc.property(claims, fc.nat(), fc.constantFrom(..."AQgw_-.9z"), (signed, at, replacement) => {
        const token = signLink({ current }, signed);
        const index = at % token.length;
        fc.pre(token[index] !== replacement);
        const tampered = token.slice(0, index) + replacement + token.slice(index + 1);
        expect(verifyLink({ current, previous }, tampered, NOW).valid).toBe(false);
      }),
      runs,
    );
  });

  test("every other spelling of the signature's last character is refused", () => {
    const token = signLink({ current }, { action: "done", userId: "ada", expiresAt: future });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (const last of alphabet) {
      if (last === token.at(-1)) continue;
      expect(verifyLink({ current }, token.slice(0, -1) + last, NOW).valid).toBe(false);
    }
  });

  test("claims re-signed with another key are refused: only our keys sign", () => {
    fc.assert(
      fc.property(claims, fc.string({ minLength: 32, maxLength: 64 }), (signed, secret) => {
        fc.pre(secret !== current.secret);
        const forged = signLink({ current: { id: current.id, secret } }, signed);
        expect(verifyLink({ current }, forged, NOW)).toEqual({ valid: false, reason: "bad-signature" });
      }),
      runs,
    );
  });

  test("signing is deterministic, so a re-rendered email is identical", () => {
    const signed: LinkClaims = {
      action: "done",
      userId: "ada",
      expiresAt: future,
      taskId: crypto.randomUUID(),
    };
    expect(signLink({ current }, signed)).toBe(signLink({ current }, signed));
  });

  test("an expired link is refused as expired, from its expiry second on", () => {
    const token = signLink({ current }, { action: "open", userId: "ada", expiresAt: future });
    expect(verifyLink({ current }, token, new Date(future * 1000 - 1)).valid).toBe(true);
    expect(verifyLink({ current }, token, new Date(future * 1000))).toEqual({
      valid: false,
      reason: "expired",
    });
  });

  test("during a rotation the previous key is accepted; after it, its links are refused", () => {
    const token = signLink({ current: previous }, { action: "done", userId: "ada", expiresAt: future });
    expect(verifyLink({ current, previous }, token, NOW)).toMatchObject({
      valid: true,
      signedWithPrevious: true,
    });
    expect(verifyLink({ current }, token, NOW)).toEqual({ valid: false, reason: "unknown-key" });
  });

  test("text that is not a link is refused as malformed, however long", () => {
    for (const token of ["", "abc", "a.b", `${"A".repeat(5000)}.${"B".repeat(43)}`, "e30.AAAA"]) {
      expect(verifyLink({ current }, token, NOW)).toEqual({ valid: false, reason: "malformed" });
    }
  });

  test("a signed payload with claims we never issue is refused", () => {
    const sign = (wire: unknown) => {
      const payload = Buffer.from(JSON.stringify(wire)).toString("base64url");
      const { createHmac } = require("node:crypto") as typeof import("node:crypto");
      const mac = createHmac("sha256", current.secret).update("nudge-link.v1.").update(payload).digest();
      return `${payload}.${mac.toString("base64url")}`;
    };
    const base = { v: 1, k: current.id, a: "done", u: "ada", e: future };
    expect(verifyLink({ current }, sign(base), NOW).valid).toBe(true);
    for (const wrong of [
      { a: "delete" },
      { u: "" },
      { e: "soon" },
      { n: 0 },
      { l: "everything" },
      { v: 2 },
    ]) {
      expect(verifyLink({ current }, sign({ ...base, ...wrong }), NOW).valid).toBe(false);
    }
  });
});
