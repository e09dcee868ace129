import type { DaprWorkflowClient, WorkflowActivityContext, WorkflowContext } from "@dapr/dapr";

/**
 * Retry policy for a workflow activity. @dapr/dapr 3.18 has no per-call retry options, so the
 * workflow retries itself: a failed attempt is followed by a durable timer, which is replay-safe
 * (the delay is computed from the attempt number, never from the clock).
 */
export interface RetryPolicy {
  maxAttempts: number;
  firstDelayMs: number;
  backoffFactor?: number;
  maxDelayMs?: number;
  /** Return false to stop retrying (e.g. a 4xx validation error from a provider). */
  retryable?: (error: unknown) => boolean;
}

export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const factor = policy.backoffFactor ?? 2;
  const delay = policy.firstDelayMs * factor ** (attempt - 1);
  return Math.min(delay, policy.maxDelayMs ?? Number.POSITIVE_INFINITY);
}

/**
 * Call an activity with retries. Workflows are async generators (the SDK only drives those), so
 * delegate with `yield*`:
 *   const result = yield* callActivityWithRetry(ctx, sendEmail, input, policy);
 */
export async function* callActivityWithRetry<Input, Output>(
  ctx: WorkflowContext,
  activity: (ctx: WorkflowActivityContext, input: Input) => Output | Promise<Output>,
  input: Input,
  policy: RetryPolicy,
): AsyncGenerator<unknown, Output, unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (yield ctx.callActivity(activity, input)) as Output;
    } catch (error) {
      const retryable = policy.retryable?.(error) ?? true;
      if (!retryable || attempt >= policy.maxAttempts) throw error;
      const fireAt = new Date(ctx.getCurrentUtcDateTime().getTime() + retryDelayMs(policy, attempt));
      yield ctx.createTimer(fireAt);
    }
  }
}

/**
 * Start workflow `name` under `instanceId` unless that instance exists: a duplicate trigger or a
 * redelivered event finds it and starts nothing. (The state check covers finished instances;
 * the "already exists" answer covers a race between two starts.)
 */
export async function startWorkflowOnce(
  client: DaprWorkflowClient,
  name: string,
  input: unknown,
  instanceId: string,
): Promise<"started" | "already-started"> {
  if (await client.getWorkflowState(instanceId, false).catch(() => undefined)) return "already-started";
  try {
    await client.scheduleNewWorkflow(name, input, instanceId);
    return "started";
  } catch (error) {
    if (/already exists/i.test(String((error as Error)?.message ?? error))) return "already-started";
    throw error;
  }
}
