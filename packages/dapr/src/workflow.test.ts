import { describe, expect, test } from "bun:test";
import type { WorkflowContext } from "@dapr/dapr";
import { callActivityWithRetry, RetriesExhausted, retryDelayMs, workflowSteps } from "./workflow.ts";
import { runInMemory } from "./workflow-fake.ts";

describe("activity retry delays", () => {
  test("double from the first delay by default", () => {
    const policy = { maxAttempts: 5, firstDelayMs: 200 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt))).toEqual([200, 400, 800, 1600]);
  });

  test("never exceed the maximum delay", () => {
    const policy = { maxAttempts: 10, firstDelayMs: 1000, backoffFactor: 3, maxDelayMs: 5000 };
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(policy, attempt))).toEqual([1000, 3000, 5000, 5000]);
  });
});

const send = { name: "send" } as never;
const retryPolicy = { maxAttempts: 3, firstDelayMs: 100 };

describe("an activity called with retries", () => {
  test("an error is tried again after a backoff, and thrown as it was once the attempts run out", async () => {
    const run = runInMemory(
      async function* (ctx) {
        return yield* callActivityWithRetry(ctx, send, { to: "a" }, retryPolicy);
      },
      {},
      () => ({ error: "provider down" }),
      1,
    );
    await expect(run).rejects.toThrow("provider down");
  });

  test("an answer asking to be tried again waits at least the time it names", async () => {
    const { actions, output } = await runInMemory(
      async function* (ctx) {
        return yield* callActivityWithRetry(
          ctx,
          send,
          {},
          {
            ...retryPolicy,
            tryAgain: (answer: { ok: boolean; afterMs?: number }) =>
              answer.ok ? undefined : { reason: "429", afterMs: answer.afterMs },
          },
        );
      },
      {},
      (_name, _input, attempt) => ({
        value: attempt === 1 ? { ok: false, afterMs: 5000 } : attempt === 2 ? { ok: false } : { ok: true },
      }),
      1,
    );
    expect(actions).toEqual(["send {}", "timer +5000", "send {}", "timer +200", "send {}"]);
    expect(output).toEqual({ ok: true });
  });

  test("asked to try again after its last attempt, it throws RetriesExhausted with the last reason", async () => {
    const run = runInMemory(
      async function* (ctx) {
        return yield* callActivityWithRetry(
          ctx,
          send,
          {},
          { ...retryPolicy, tryAgain: (reason: string) => ({ reason }) },
        );
      },
      {},
      (_name, _input, attempt) => ({ value: `429 on attempt ${attempt}` }),
      1,
    );
    await expect(run).rejects.toThrow(new RetriesExhausted("429 on attempt 3"));
  });
});

describe("workflow steps side by side", () => {
  /** Step `i` sends once; odd steps are told to try again on their first attempt. */
  const sendAll = (count: number, limit: number) =>
    async function* (ctx: WorkflowContext) {
      const steps = workflowSteps(ctx, limit);
      const done: number[] = [];
      async function* one(i: number) {
        yield* callActivityWithRetry(
          ctx,
          send,
          { i },
          { ...retryPolicy, tryAgain: (ok: boolean) => (ok ? undefined : { reason: "busy" }) },
        );
        done.push(i);
      }
      async function* all() {
        for (let i = 0; i < count; i++) steps.enqueue(one(i));
      }
      yield* steps.run(all());
      return done;
    };
  const script = (_name: string, input: { i: number }, attempt: number) => ({
    value: input.i % 2 === 0 || attempt > 1,
  });

  const alwaysOk = () => ({ value: true });
  for (const seed of [1, 2, 3, 4, 5]) {
    test(`enqueued steps start in order, at most the limit at once (seed ${seed})`, async () => {
      const { actions, mostInFlight } = await runInMemory(sendAll(12, 3), {}, alwaysOk, seed);
      expect(mostInFlight.get("send")).toBe(3);
      expect(actions).toEqual(Array.from({ length: 12 }, (_, i) => `send {"i":${i}}`));
    });

    test(`steps that sleep between attempts all finish, each first attempt in order (seed ${seed})`, async () => {
      const { actions, output } = await runInMemory(sendAll(12, 3), {}, script, seed);
      expect([...new Set(actions.filter((a) => a.startsWith("send")))]).toEqual(
        Array.from({ length: 12 }, (_, i) => `send {"i":${i}}`),
      );
      expect(actions.filter((a) => a.startsWith("timer"))).toHaveLength(6);
      expect([...output].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    });
  }

  test("a step sleeping between attempts holds no slot: the next one starts meanwhile", async () => {
    const { actions } = await runInMemory(sendAll(2, 1), {}, script, 1);
    expect(actions).toEqual(['send {"i":0}', 'send {"i":1}', "timer +100", 'send {"i":1}']);
  });
});
