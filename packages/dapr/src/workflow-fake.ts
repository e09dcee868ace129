/**
 * Runs a workflow in memory, for unit tests: activities answer from a script, and pending tasks
 * complete in an order a seeded random picks, as a replay would see them in history. What it
 * mimics of the durabletask runtime: a yielded task resumes the generator with its result or
 * throws its error into it, and `whenAny` completes with the first of its tasks to complete.
 */

export type ActivityAnswer = { value: unknown } | { error: string };

/** The answer of attempt `attempt` (from 1) of activity `name` called with `input`. */
export type ActivityScript = (name: string, input: any, attempt: number) => ActivityAnswer;

class FakeTask {
  isComplete = false;
  isFailed = false;
  private result: unknown;
  private exception: Error | undefined;
  readonly parents: FakeTask[] = [];
  getResult() {
    return this.result;
  }
  getException() {
    return this.exception;
  }
  settle(answer: ActivityAnswer) {
    if (this.isComplete) return;
    this.isComplete = true;
    if ("error" in answer) {
      this.isFailed = true;
      this.exception = new Error(answer.error);
    } else this.result = answer.value;
    for (const parent of this.parents) parent.settle({ value: this });
  }
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export const FAKE_NOW = 1_900_000_000_000;

export interface InMemoryRun<Output> {
  /** Every action in the order scheduled: `<activity> <input as JSON>` or `timer +<ms>`. */
  actions: string[];
  /** The most activities in flight at once, per activity name. */
  mostInFlight: Map<string, number>;
  output: Output;
}

export async function runInMemory<Input, Output>(
  workflow: (ctx: any, input: Input) => AsyncGenerator<unknown, Output, unknown>,
  input: Input,
  script: ActivityScript,
  seed: number,
  maxActions = 10_000,
): Promise<InMemoryRun<Output>> {
  const random = seededRandom(seed);
  const actions: string[] = [];
  const pending: Array<{ task: FakeTask; answer: () => ActivityAnswer }> = [];
  const attempts = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const mostInFlight = new Map<string, number>();
  const ctx = {
    getWorkflowInstanceId: () => "instance-1",
    getCurrentUtcDateTime: () => new Date(FAKE_NOW),
    setCustomStatus: () => {},
    callActivity(activity: { name: string }, activityInput: unknown) {
      const key = `${activity.name} ${JSON.stringify(activityInput)}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      actions.push(key);
      const count = (inFlight.get(activity.name) ?? 0) + 1;
      inFlight.set(activity.name, count);
      mostInFlight.set(activity.name, Math.max(count, mostInFlight.get(activity.name) ?? 0));
      const task = new FakeTask();
      pending.push({
        task,
        answer: () => {
          inFlight.set(activity.name, (inFlight.get(activity.name) ?? 1) - 1);
          return script(activity.name, activityInput, attempt);
        },
      });
      return task;
    },
    createTimer(at: Date) {
      actions.push(`timer +${at.getTime() - FAKE_NOW}`);
      const task = new FakeTask();
      pending.push({ task, answer: () => ({ value: undefined }) });
      return task;
    },
    whenAny(tasks: FakeTask[]) {
      const any = new FakeTask();
      for (const task of tasks) {
        if (task.isComplete) any.settle({ value: task });
        else task.parents.push(any);
      }
      return any;
    },
  };

  const generator = workflow(ctx, input);
  let step = await generator.next();
  while (!step.done) {
    const task = step.value as FakeTask;
    while (!task.isComplete) {
      const [next] = pending.splice(Math.floor(random() * pending.length), 1);
      if (!next) throw new Error("the workflow waits on a task that can never complete");
      next.task.settle(next.answer());
      if (actions.length > maxActions) throw new Error(`more than ${maxActions} actions: a loop?`);
    }
    step = task.isFailed
      ? await generator.throw(task.getException())
      : await generator.next(task.getResult());
  }
  return { actions, mostInFlight, output: step.value };
}
