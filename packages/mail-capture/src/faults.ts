import type { FaultStatus } from "./resend-errors.ts";
import { bareAddress } from "./send-request.ts";

interface QueuedFault {
  status: FaultStatus;
  /** Bare, lower-cased recipient address; undefined means any send. */
  recipient: string | undefined;
}

/** Failures a test has asked for, answered in order to the sends they match. */
export class FaultQueue {
  #queued: QueuedFault[] = [];

  enqueue(statuses: FaultStatus[], to?: string): void {
    const recipient = to === undefined ? undefined : (bareAddress(to) ?? to.trim().toLowerCase());
    for (const status of statuses) this.#queued.push({ status, recipient });
  }

  /** Removes and returns the first fault meant for a send to these recipients, if any. */
  takeFor(recipients: readonly string[]): FaultStatus | undefined {
    const addresses = new Set(recipients.map((r) => bareAddress(r) ?? r.trim().toLowerCase()));
    const index = this.#queued.findIndex((f) => f.recipient === undefined || addresses.has(f.recipient));
    if (index === -1) return undefined;
    return this.#queued.splice(index, 1)[0]?.status;
  }

  /**
   * For one email of a batch: removes and returns the first fault aimed at one of its
   * recipients (not an untargeted one) whose status `wanted` accepts.
   */
  takeAimedAt(
    recipients: readonly string[],
    wanted: (status: FaultStatus) => boolean,
  ): FaultStatus | undefined {
    const addresses = new Set(recipients.map((r) => bareAddress(r) ?? r.trim().toLowerCase()));
    const index = this.#queued.findIndex(
      (f) => f.recipient !== undefined && addresses.has(f.recipient) && wanted(f.status),
    );
    if (index === -1) return undefined;
    return this.#queued.splice(index, 1)[0]?.status;
  }

  /** Removes and returns the first fault aimed at no one in particular, if any. */
  takeUntargeted(): FaultStatus | undefined {
    const index = this.#queued.findIndex((f) => f.recipient === undefined);
    if (index === -1) return undefined;
    return this.#queued.splice(index, 1)[0]?.status;
  }

  clear(): void {
    this.#queued = [];
  }
}
