/**
 * The work one evaluation of a rule may do, whatever the rule. A step is one period, day or
 * candidate time the engine looks at; the wall-clock limit is a backstop for a stalled machine
 * and is only consulted every 1 024 steps once 8 192 are spent, so ordinary evaluations (tens of
 * steps) never read the clock and give the same answer however loaded the machine is.
 */
export const LIMITS = {
  /** One next occurrence (and the write-time check of a rule). */
  stepsPerOccurrence: 20_000,
  msPerOccurrence: 200,
  /** A list of occurrences (previews): shared by the whole list, which stops early when spent. */
  stepsPerList: 100_000,
  msPerList: 400,
  /** The next occurrence must come within this many years of the previous one. */
  horizonYears: 10,
  /** Occurrences checked after the start when a rule is written. */
  admissionOccurrences: 3,
} as const;

/** The engine ran out of its budget before it found an answer. */
export class RecurrenceBudgetExceeded extends Error {
  constructor(readonly steps: number) {
    super(`the rule needs more work than the recurrence budget allows (${steps} steps)`);
  }
}

export class Budget {
  private steps = 0;
  private readonly deadline: number;

  constructor(
    private readonly maxSteps: number = LIMITS.stepsPerOccurrence,
    maxMs: number = LIMITS.msPerOccurrence,
  ) {
    this.deadline = performance.now() + maxMs;
  }

  static forList() {
    return new Budget(LIMITS.stepsPerList, LIMITS.msPerList);
  }

  get used() {
    return this.steps;
  }

  /** Count `n` steps; throws RecurrenceBudgetExceeded past either limit. */
  spend(n = 1) {
    const before = this.steps;
    this.steps += n;
    if (this.steps > this.maxSteps) throw new RecurrenceBudgetExceeded(this.steps);
    if (this.steps >= 8_192 && before >> 10 !== this.steps >> 10 && performance.now() > this.deadline)
      throw new RecurrenceBudgetExceeded(this.steps);
  }
}
