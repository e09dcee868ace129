import type { DaprWorkflowClient, Task, WorkflowActivityContext, WorkflowContext } from "@dapr/dapr";

/**
 * Retry policy for a workflow activity. @dapr/dapr 3.18 has no per-call retry options, so the
 * workflow retries itself: a failed attempt is followed by a durable timer, which is replay-safe
 * (the delay is computed from the attempt number, never from the clock).
 */
export interface RetryPolicy<Output = unknown> {
  /** `Number.POSITIVE_INFINITY` for an activity that must succeed in the end (our own database). */
  maxAttempts: number;
  firstDelayMs: number;
  backoffFactor?: number;
  maxDelayMs?: number;
  /** Return false to stop retrying (e.g. a 4xx validation error from a provider). */
  retryable?: (error: unknown) => boolean;
  /**
   * An answer that means "try again later", for an activity that reports a transient failure as
   * a value: it can carry a wait (a provider's Retry-After), which a thrown error cannot.
   */
  tryAgain?: (output: Output) => TryAgain | undefined;
}

export interface TryAgain {
  reason: string;
  /** Wait at least this long before the next attempt. */
  afterMs?: number;
}

/** The activity kept answering "try again later" until its attempts ran out. */
export class RetriesExhausted extends Error {
  override name = "RetriesExhausted";
}

export function retryDelayMs(policy: RetryPolicy<never>, attempt: number): number {
  const factor = policy.backoffFactor ?? 2;
  const delay = policy.firstDelayMs * factor ** (attempt - 1);
  return Math.min(delay, policy.maxDelayMs ?? Number.POSITIVE_INFINITY);
}

/** The timers `callActivityWithRetry` waits on between attempts (see `workflowSteps`). */
const backoffs = new WeakSet<Task<unknown>>();

/**
 * Call an activity with retries. Workflows are async generators (the SDK only drives those), so
 * delegate with `yield*`:
 *   const result = yield* callActivityWithRetry(ctx, sendEmail, input, policy);
 * After the last attempt it throws the activity's error, or `RetriesExhausted` with the reason
 * of its last "try again later".
 */
export async function* callActivityWithRetry<Input, Output>(
  ctx: WorkflowContext,
  activity: (ctx: WorkflowActivityContext, input: Input) => Output | Promise<Output>,
  input: Input,
  policy: RetryPolicy<Output>,
): AsyncGenerator<unknown, Output, unknown> {
  for (let attempt = 1; ; attempt++) {
    let again: TryAgain | undefined;
    try {
      const output = (yield ctx.callActivity(activity, input)) as Output;
      again = policy.tryAgain?.(output);
      if (!again) return output;
    } catch (error) {
      const retryable = policy.retryable?.(error) ?? true;
      if (!retryable || attempt >= policy.maxAttempts) throw error;
    }
    if (again && attempt >= policy.maxAttempts) throw new RetriesExhausted(again.reason);
    const delayMs = Math.max(again?.afterMs ?? 0, retryDelayMs(policy, attempt));
    const timer = ctx.createTimer(new Date(ctx.getCurrentUtcDateTime().getTime() + delayMs));
    backoffs.add(timer);
    yield timer;
  }
}

/** A part of a workflow written like a workflow body: it yields tasks and may `yield*` helpers. */
export type WorkflowStep = AsyncGenerator<unknown, void, unknown>;

/**
 * Run workflow steps side by side in one workflow: whenever a step waits on a task, the others
 * go on, and each step resumes when its task completes (replayed in history order, so it stays
 * deterministic). `start` runs a step at once; `enqueue` runs it, in order, while fewer than
 * `limit` enqueued steps are waiting on anything but a retry's backoff — a step sleeping between
 * attempts holds no slot, and a step once started is never held back. Drive them all with
 * `yield* steps.run(first)`.
 */
export function workflowSteps(ctx: WorkflowContext, limit: number) {
  const starting: WorkflowStep[] = [];
  const queued: WorkflowStep[] = [];
  const limited = new WeakSet<WorkflowStep>();
  const waiting = new Map<Task<unknown>, WorkflowStep>();
  const busy = () => [...waiting].filter(([task, step]) => limited.has(step) && !backoffs.has(task)).length;

  /** Resume `step` with the completed task's outcome (none: its start) until it waits or ends. */
  const advance = async (step: WorkflowStep, completed?: Task<unknown>) => {
    let next = completed?.isFailed
      ? await step.throw(completed.getException())
      : await step.next(completed?.getResult());
    while (!next.done) {
      const task = next.value as Task<unknown>;
      if (!task.isComplete) {
        waiting.set(task, step);
        return;
      }
      next = task.isFailed ? await step.throw(task.getException()) : await step.next(task.getResult());
    }
  };
  const startWhatMay = async () => {
    for (;;) {
      const step = starting.shift() ?? (queued.length > 0 && busy() < limit ? queued.shift() : undefined);
      if (!step) return;
      await advance(step);
    }
  };

  return {
    start(step: WorkflowStep) {
      starting.push(step);
    },
    enqueue(step: WorkflowStep) {
      limited.add(step);
      queued.push(step);
    },
    async *run(first: WorkflowStep): WorkflowStep {
      await advance(first);
      await startWhatMay();
      while (waiting.size > 0) {
        const done = (yield ctx.whenAny([...waiting.keys()])) as Task<unknown>;
        const step = waiting.get(done) as WorkflowStep;
        waiting.delete(done);
        await advance(step, done);
        await startWhatMay();
      }
    },
  };
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
