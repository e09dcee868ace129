import type { LiveMessage } from "@nudge/contracts";

interface Recent {
  userId: string;
  message: LiveMessage;
}

/**
 * The last `capacity` events this replica received, oldest first. Two jobs: a Kafka redelivery
 * of an event already pushed is recognised by its id, and a resuming client gets what arrived
 * here while audit-service had not yet recorded it (task-updates and task-events are different
 * topics, so the history can lag the live stream by a moment).
 */
export class RecentEvents {
  private readonly ring: (Recent | undefined)[];
  private readonly ids = new Set<string>();
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(userId: string, message: LiveMessage): void {
    const evicted = this.ring[this.next];
    if (evicted) this.ids.delete(evicted.message.id);
    this.ring[this.next] = { userId, message };
    this.ids.add(message.id);
    this.next = (this.next + 1) % this.capacity;
  }

  /** A user's events with an id after `since` (UUIDv7: id order is creation order). */
  after(userId: string, since: string): LiveMessage[] {
    const found: LiveMessage[] = [];
    for (const entry of this.ring) {
      if (entry && entry.userId === userId && entry.message.id > since) found.push(entry.message);
    }
    return found;
  }
}
