import type { LiveMessage } from "@nudge/contracts";
import type { EndReason, Frame, Transport } from "./frames.ts";

/** The gap a resuming client missed, oldest first; `complete` is false when it exceeded the limit. */
export interface Missed {
  messages: LiveMessage[];
  complete: boolean;
}

/** How long ids sent by a replay are remembered, so their live copies arriving late are skipped. */
const SEAM_MS = 120_000;

/**
 * One client's connection: replay first (while live events wait in `pending`), then live. The
 * seam between the two is deduplicated by event id, so nothing is lost or sent twice.
 */
export class LiveSession {
  /** Live events that arrived during the replay; undefined once live. */
  private pending: LiveMessage[] | undefined = [];
  private readonly sent = new Set<string>();
  private seamTimer: Timer | undefined;
  ended: EndReason | "client" | undefined;

  constructor(
    readonly userId: string,
    private readonly transport: Transport,
    private readonly maxPending: number,
  ) {}

  /** A live event of this session's user. */
  push(message: LiveMessage): void {
    if (this.ended) return;
    if (this.pending) {
      this.pending.push(message);
      // Replay is slow (history unreachable?) and live keeps coming: never grow without bound.
      if (this.pending.length > this.maxPending) this.end("slow-consumer");
      return;
    }
    if (this.sent.has(message.id)) return;
    this.write(message);
  }

  /**
   * Replay what the client missed after `since` (nothing without it), then the events that
   * arrived meanwhile, then go live.
   */
  async start(since: string | undefined, missedSince: (since: string) => Promise<Missed>): Promise<void> {
    let replayed = 0;
    if (since) {
      let missed: Missed;
      try {
        missed = await missedSince(since);
      } catch {
        this.end("history-unavailable");
        return;
      }
      if (this.ended) return;
      if (!missed.complete) {
        this.write({ type: "resync", reason: "the gap is larger than the replay limit: reload" });
      } else {
        for (const message of missed.messages) {
          if (!this.write(message)) return;
          this.sent.add(message.id);
          replayed++;
        }
      }
    }
    const waiting = this.pending ?? [];
    this.pending = undefined;
    if (!this.write({ type: "ready", replayed })) return;
    for (const message of waiting) this.push(message);
    if (this.sent.size) this.seamTimer = setTimeout(() => this.sent.clear(), SEAM_MS);
  }

  end(reason: EndReason): void {
    if (this.ended) return;
    this.ended = reason;
    clearTimeout(this.seamTimer);
    this.transport.end(reason);
  }

  /** The client went away (or the transport closed): nothing more to send. */
  closed(): void {
    this.ended ??= "client";
    clearTimeout(this.seamTimer);
  }

  private write(frame: Frame): boolean {
    if (this.ended) return false;
    if (this.transport.write(frame)) return true;
    this.end("slow-consumer");
    return false;
  }
}
