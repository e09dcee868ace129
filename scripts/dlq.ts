/**
 * `./nudge dlq`: what operators do with messages parked on dlq-events. audit-service records
 * every parked message (original topic, reason); this calls its operator API.
 *
 *   dlq list [--replayed|--all]   parked records (newest first), with topic and reason
 *   dlq replay ID | --all         publish parked records back to their original topic, unchanged
 *   dlq purge [--replayed]        forget records (all, or only the replayed ones)
 *
 * Every command is safe to run twice: a record is replayed only while it is parked, and a purge
 * deletes what is there. Environment: AUDIT_URL, OPERATOR_TOKEN (./nudge sets local defaults).
 */
import type { DeadLetter } from "../packages/contracts/src/audit.ts";
import { operatorApi, runOperatorCommand } from "./operator-api.ts";

const USAGE = "usage: nudge dlq list [--replayed|--all] | replay <event id>|--all | purge [--replayed]";

const call = operatorApi(
  "audit-service",
  process.env.AUDIT_URL ?? "http://127.0.0.1:3003",
  "/operator/dead-letters",
);

function print(items: DeadLetter[]) {
  if (!items.length) return console.log("no dead letters");
  for (const item of items) {
    console.log(
      [item.eventId, item.topic, item.type, item.status, `×${item.timesParked}`, item.parkedAt].join("  "),
    );
    console.log(`    reason: ${item.reason}`);
  }
}

export async function dlq(args: string[]): Promise<number> {
  const [command, option] = args;
  switch (command) {
    case "list": {
      const status = option === "--all" ? "all" : option === "--replayed" ? "replayed" : "parked";
      if (option && status === "parked") break;
      print((await call<{ items: DeadLetter[] }>("GET", `/?status=${status}&limit=1000`)).items);
      return 0;
    }
    case "replay": {
      if (!option) break;
      const body = option === "--all" ? {} : { eventId: option };
      const { replayed } = await call<{ replayed: string[] }>("POST", "/replay", body);
      console.log(
        replayed.length ? `replayed ${replayed.length}: ${replayed.join(" ")}` : "nothing to replay",
      );
      return 0;
    }
    case "purge": {
      if (option && option !== "--replayed") break;
      const scope = option ? "replayed" : "all";
      const { purged } = await call<{ purged: number }>("DELETE", `/?scope=${scope}`);
      console.log(`purged ${purged}`);
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) await runOperatorCommand("dlq", dlq);
