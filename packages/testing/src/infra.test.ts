import { describe, expect, test } from "bun:test";
import { startInfra } from "./infra.ts";
import { freePort } from "./ports.ts";
import { testStack } from "./stack.ts";

// The harness must fail loudly, naming the fix, when a dependency is missing — never skip.
describe("choosing the test infrastructure", () => {
  test("local mode without connection settings fails and says how to start the stack", async () => {
    await expect(startInfra({ NUDGE_TEST_INFRA: "local" })).rejects.toThrow(
      /\.\/nudge test|\.\/nudge up --infra/,
    );
  });

  test("local mode with an unreachable PostgreSQL fails naming the server and the fix", async () => {
    const closedPort = await freePort();
    const attempt = startInfra({
      NUDGE_TEST_INFRA: "local",
      DATABASE_URL: `postgres://nudge:secret@127.0.0.1:${closedPort}/nudge`,
      KAFKA_BROKERS: "127.0.0.1:1",
    });
    await expect(attempt).rejects.toThrow(
      /PostgreSQL at postgres:\/\/nudge:\*\*\*@127\.0\.0\.1:\d+\/nudge is not reachable/,
    );
  });

  test("local mode with an unreachable broker fails naming the broker", async () => {
    const { infra } = await testStack(); // a PostgreSQL that answers, so only the broker is missing
    const closedPort = await freePort();
    const attempt = startInfra({
      NUDGE_TEST_INFRA: "local",
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: `127.0.0.1:${closedPort}`,
    });
    await expect(attempt).rejects.toThrow(`Kafka at 127.0.0.1:${closedPort} is not reachable`);
  }, 180_000);

  test("an unknown mode is refused", async () => {
    await expect(startInfra({ NUDGE_TEST_INFRA: "mocks" })).rejects.toThrow(/auto, local or containers/);
  });
});
