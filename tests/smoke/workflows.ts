import { LogLevel, type WorkflowActivityContext, type WorkflowContext, WorkflowRuntime } from "@dapr/dapr";
import { callActivityWithRetry, type Sidecar } from "@nudge/dapr";

/**
 * Workflows the foundation's smoke tests run. Counters live in the test process so a test can
 * see exactly how often each activity really executed.
 */
export function smokeWorkflows() {
  const attempts = new Map<string, number>();
  const completions = new Map<string, number>();

  const count = (map: Map<string, number>, key: string) => {
    const n = (map.get(key) ?? 0) + 1;
    map.set(key, n);
    return n;
  };

  /** Fails on its first two attempts for a given key, then succeeds. */
  const flakyStep = (_ctx: WorkflowActivityContext, input: { key: string }) => {
    const attempt = count(attempts, input.key);
    if (attempt <= 2) throw new Error(`attempt ${attempt} of ${input.key} fails on purpose`);
    return { attempts: attempt };
  };
  const recordCompletion = (_ctx: WorkflowActivityContext, input: { key: string }) => {
    return { completions: count(completions, input.key) };
  };

  /** A durable timer, then an activity that needs two retries. */
  async function* timerThenFlaky(ctx: WorkflowContext, input: { key: string; timerMs: number }) {
    yield ctx.createTimer(new Date(ctx.getCurrentUtcDateTime().getTime() + input.timerMs));
    const result = yield* callActivityWithRetry(ctx, flakyStep, input, {
      maxAttempts: 4,
      firstDelayMs: 200,
    });
    return result;
  }

  /** Waits on a durable timer (saying so in its custom status), then records its completion. */
  async function* waitThenComplete(ctx: WorkflowContext, input: { key: string; timerMs: number }) {
    ctx.setCustomStatus("waiting-on-timer");
    yield ctx.createTimer(new Date(ctx.getCurrentUtcDateTime().getTime() + input.timerMs));
    const result: { completions: number } = yield ctx.callActivity(recordCompletion, input);
    return result;
  }

  const register = (sidecar: Sidecar) =>
    new WorkflowRuntime({
      daprHost: "127.0.0.1",
      daprPort: String(sidecar.grpcPort),
      logger: { level: LogLevel.Warn },
    })
      .registerWorkflow(timerThenFlaky)
      .registerWorkflow(waitThenComplete)
      .registerActivity(flakyStep)
      .registerActivity(recordCompletion);

  return { attempts, completions, timerThenFlaky, waitThenComplete, register };
}
