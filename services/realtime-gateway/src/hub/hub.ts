import type { LiveMessage } from "@nudge/contracts";
import type { EndReason } from "./frames.ts";
import { RecentEvents } from "./recent.ts";
import type { LiveSession, Missed } from "./session.ts";

/**
 * Every open connection of this replica, by user. Each replica receives every event (its own
 * consumer group), and pushes it to the connections of the task's owner that it holds.
 */
export class Hub {
  private readonly byUser = new Map<string, Set<LiveSession>>();
  readonly recent: RecentEvents;
  private count = 0;

  constructor(recentEvents: number) {
    this.recent = new RecentEvents(recentEvents);
  }

  get connections(): number {
    return this.count;
  }

  connectionsOf(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  add(session: LiveSession): void {
    let sessions = this.byUser.get(session.userId);
    if (!sessions) this.byUser.set(session.userId, (sessions = new Set()));
    if (!sessions.has(session)) this.count++;
    sessions.add(session);
  }

  remove(session: LiveSession): void {
    const sessions = this.byUser.get(session.userId);
    if (!sessions?.delete(session)) return;
    this.count--;
    if (sessions.size === 0) this.byUser.delete(session.userId);
  }

  /** Push one event to its owner's connections; a redelivered event is pushed once. */
  publish(userId: string, message: LiveMessage): "delivered" | "duplicate" {
    if (this.recent.has(message.id)) return "duplicate";
    this.recent.add(userId, message);
    const sessions = this.byUser.get(userId);
    if (sessions) for (const session of [...sessions]) session.push(message);
    return "delivered";
  }

  /**
   * The gap after `since`: audit-service's history merged with the recent events it may not
   * have recorded yet, oldest first, each id once.
   */
  async missed(
    userId: string,
    since: string,
    history: (userId: string, since: string) => Promise<Missed>,
    limit: number,
  ): Promise<Missed> {
    const recorded = await history(userId, since);
    if (!recorded.complete) return recorded;
    const byId = new Map(recorded.messages.map((message) => [message.id, message]));
    for (const message of this.recent.after(userId, since))
      if (!byId.has(message.id)) byId.set(message.id, message);
    const messages = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return messages.length > limit ? { messages: [], complete: false } : { messages, complete: true };
  }

  /** Graceful shutdown: every client is told why, and to reconnect. */
  endAll(reason: EndReason): void {
    for (const sessions of this.byUser.values()) for (const session of sessions) session.end(reason);
  }
}
