/** What arrived in the capture inbox, set against what was scheduled. */
import { percentile } from "../task-api/stats.ts";

export interface ExpectedEmail {
  to: string;
  subject: string;
  /** The reminder's instant, epoch ms. */
  at: number;
}

interface ReceivedEmail {
  to: string | string[];
  subject: string;
  receivedAt: number;
}

export interface Outcome {
  expected: number;
  /** Reminders with at least one email. */
  delivered: number;
  /** Emails beyond the first for the same recipient + subject. */
  duplicates: number;
  missing: number;
  /** Emails that match no reminder of this run. */
  stray: number;
  /** Emails received before their instant (lateness < 0). */
  early: number;
  /** First email's receivedAt − instant, ms: p50, p99, max (NaN when none arrived). */
  latenessMs: { p50: number; p99: number; max: number; min: number };
  /** receivedAt of the last first-email, epoch ms (NaN when none arrived). */
  lastReceivedAt: number;
}

/** The subject without the due time the email adds ("Reminder: title (due Tue 1 Dec, 09:00)"). */
const titleOf = (subject: string) => subject.replace(/ \(due [^)]*\)$/, "");
const keyOf = (to: string, subject: string) => `${to}\n${titleOf(subject)}`;

export function tally(expected: ExpectedEmail[], emails: ReceivedEmail[]): Outcome {
  const byKey = new Map(
    expected.map((e) => [keyOf(e.to, e.subject), { at: e.at, received: [] as number[] }]),
  );
  let stray = 0;
  for (const email of emails) {
    for (const to of [email.to].flat()) {
      const entry = byKey.get(keyOf(to, email.subject));
      if (entry) entry.received.push(email.receivedAt);
      else stray++;
    }
  }
  const lateness: number[] = [];
  let duplicates = 0;
  let lastReceivedAt = Number.NaN;
  for (const { at, received } of byKey.values()) {
    if (received.length === 0) continue;
    duplicates += received.length - 1;
    const first = Math.min(...received);
    lateness.push(first - at);
    if (!(first <= lastReceivedAt)) lastReceivedAt = first;
  }
  const sorted = Float64Array.from(lateness).sort();
  return {
    expected: byKey.size,
    delivered: lateness.length,
    duplicates,
    missing: byKey.size - lateness.length,
    stray,
    early: lateness.filter((ms) => ms < 0).length,
    latenessMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.length ? (sorted[sorted.length - 1] as number) : Number.NaN,
      min: sorted.length ? (sorted[0] as number) : Number.NaN,
    },
    lastReceivedAt,
  };
}

/** Reminders with an email so far (cheap enough to poll: one pass over the inbox). */
export function deliveredCount(expected: ExpectedEmail[], emails: ReceivedEmail[]): number {
  const wanted = new Set(expected.map((e) => keyOf(e.to, e.subject)));
  const seen = new Set<string>();
  for (const email of emails) {
    for (const to of [email.to].flat()) {
      const key = keyOf(to, email.subject);
      if (wanted.has(key)) seen.add(key);
    }
  }
  return seen.size;
}
