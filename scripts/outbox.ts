/**
 * `./nudge outbox`: what operators do with task-api's parked outbox rows — events the relay gave
 * up on (the sidecar refused them, they were too large, or they kept failing while other events
 * went out). They are kept until replayed; this calls task-api's operator API.
 *
 *   outbox list            parked rows, oldest first: id, topic, type, subject, attempts, reason
 *   outbox show ID         the stored CloudEvent of one parked row
 *   outbox replay ID|--all put rows back in line; the relay publishes them with their original id
 *
 * Replaying is safe to repeat: consumers skip an event id they have seen, and a row that still
 * cannot be published is parked again. Environment: TASK_API_URL, OPERATOR_TOKEN (./nudge sets
 * local defaults).
 */
import type { ParkedEvent } from "../services/task-api/src/outbox/store.ts";
import { operatorApi, runOperatorCommand } from "./operator-api.ts";

const USAGE = "usage: nudge outbox list | show <id> | replay <id>|--all";

const call = operatorApi("task-api", process.env.TASK_API_URL ?? "http://127.0.0.1:3000", "/operator/outbox");

/** Long values (a corrupt topic or key may be kilobytes) shortened for the terminal. */
const short = (value: string | null) =>
  value && value.length > 80 ? `${value.slice(0, 60)}…(${value.length} chars)` : (value ?? "-");

async function list(): Promise<number> {
  let after: string | null = null;
  let total = 0;
  do {
    const page: { items: ParkedEvent[]; next: string | null } = await call(
      "GET",
      `/parked?limit=1000${after ? `&after=${after}` : ""}`,
    );
    for (const item of page.items) {
      console.log(
        [item.id, short(item.topic), item.type, short(item.subject), `×${item.attempts}`, item.parkedAt].join(
          "  ",
        ),
      );
      console.log(`    reason: ${item.reason ?? "-"}`);
    }
    total += page.items.length;
    after = page.next;
  } while (after);
  console.log(total ? `${total} parked` : "no parked events");
  return 0;
}

export async function outbox(args: string[]): Promise<number> {
  const [command, option] = args;
  switch (command) {
    case "list":
      if (option) break;
      return list();
    case "show":
      if (!option) break;
      console.log(JSON.stringify(await call("GET", `/parked/${encodeURIComponent(option)}`), null, 2));
      return 0;
    case "replay": {
      if (!option) break;
      const path = option === "--all" ? "/parked/replay" : `/parked/${encodeURIComponent(option)}/replay`;
      const { replayed } = await call<{ replayed: string[] }>("POST", path);
      const ids = replayed.length > 20 ? "" : `: ${replayed.join(" ")}`;
      console.log(replayed.length ? `replayed ${replayed.length}${ids}` : "nothing to replay");
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) await runOperatorCommand("outbox", outbox);
