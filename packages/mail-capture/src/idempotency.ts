/** How long Resend remembers an idempotency key. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What to do with a request that carries an idempotency key. */
export type IdempotencyDecision<R> =
  | { outcome: "proceed" }
  | { outcome: "replay"; response: R }
  | { outcome: "different-payload" }
  | { outcome: "in-flight" };

interface Entry<R> {
  fingerprint: string;
  /** Set once the first request succeeded; until then the key is in flight. */
  completed?: { response: R; at: number };
}

/**
 * Remembers, per idempotency key, the payload and the successful response of the first request.
 * Only successes are remembered: a request that failed (a 4xx, or a 5xx the server returned)
 * releases its key, so the client's retry with the same key is processed afresh. That is what
 * makes retrying after a 500 safe, and it matches Resend's promise that a key only ever
 * stands for one sent email.
 */
export class IdempotencyLedger<R> {
  readonly #entries = new Map<string, Entry<R>>();
  readonly #acceptedSends = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  begin(key: string, fingerprint: string): IdempotencyDecision<R> {
    const entry = this.#entries.get(key);
    const expired = entry?.completed && this.now() - entry.completed.at >= IDEMPOTENCY_WINDOW_MS;
    if (!entry || expired) {
      this.#entries.set(key, { fingerprint });
      return { outcome: "proceed" };
    }
    if (!entry.completed) return { outcome: "in-flight" };
    if (entry.fingerprint !== fingerprint) return { outcome: "different-payload" };
    return { outcome: "replay", response: entry.completed.response };
  }

  complete(key: string, response: R): void {
    const entry = this.#entries.get(key);
    if (!entry) throw new Error(`idempotency key ${key} completed without having begun`);
    entry.completed = { response, at: this.now() };
    this.#acceptedSends.set(key, this.acceptedSendsFor(key) + 1);
  }

  release(key: string): void {
    if (!this.#entries.get(key)?.completed) this.#entries.delete(key);
  }

  acceptedSendsFor(key: string): number {
    return this.#acceptedSends.get(key) ?? 0;
  }

  clear(): void {
    this.#entries.clear();
    this.#acceptedSends.clear();
  }
}

/** The same JSON value whatever the order of its object keys, so equal payloads compare equal. */
export function fingerprintOf(value: unknown): string {
  return JSON.stringify(value, (_key, nested) =>
    typeof nested === "object" && nested !== null && !Array.isArray(nested)
      ? Object.fromEntries(Object.entries(nested).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : nested,
  );
}
