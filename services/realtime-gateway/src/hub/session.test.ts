import { describe, expect, test } from "bun:test";
import type { LiveMessage } from "@nudge/contracts";
import type { EndReason, Frame, Transport } from "./frames.ts";
import { Hub } from "./hub.ts";
import { LiveSession, type Missed } from "./session.ts";

const message = (n: number): LiveMessage => ({
  id: `0190000${n}-0000-7000-8000-000000000000`,
  type: "task.changed",
  data: {
    taskId: "00000000-0000-4000-8000-000000000001",
    change: "task.updated",
    version: n,
    title: `v${n}`,
    status: "open",
    priority: "none",
    dueAt: null,
    updatedAt: "2026-01-01T00:00:00.000Z",
  },
});

function recording(capacity = Number.POSITIVE_INFINITY) {
  const frames: Frame[] = [];
  const ended: EndReason[] = [];
  const transport: Transport = {
    write: (frame) => frames.push(frame) <= capacity,
    end: (reason) => ended.push(reason),
  };
  const ids = () => frames.flatMap((f) => (f.type === "task.changed" ? [f.id] : []));
  return { frames, ended, transport, ids };
}

describe("a resuming session", () => {
  test("live events during the replay follow it, and those the replay already sent are skipped", async () => {
    const client = recording();
    const session = new LiveSession("u", client.transport, 100);
    let release!: (missed: Missed) => void;
    const started = session.start(message(1).id, () => new Promise((resolve) => (release = resolve)));
    session.push(message(3)); // arrives live while the history is being read
    session.push(message(4));
    release({ messages: [message(2), message(3)], complete: true });
    await started;
    session.push(message(3)); // a late live copy of a replayed event
    session.push(message(5));
    expect(client.ids()).toEqual([2, 3, 4, 5].map((n) => message(n).id));
    expect(client.frames.find((f) => f.type === "ready")).toEqual({ type: "ready", replayed: 2 });
  });

  test("a gap larger than the limit is announced as resync, then the session is live", async () => {
    const client = recording();
    const session = new LiveSession("u", client.transport, 100);
    await session.start(message(1).id, async () => ({ messages: [], complete: false }));
    session.push(message(9));
    expect(client.frames.map((f) => f.type)).toEqual(["resync", "ready", "task.changed"]);
  });

  test("an unreachable history ends the connection so the client retries from the same id", async () => {
    const client = recording();
    const session = new LiveSession("u", client.transport, 100);
    await session.start(message(1).id, () => Promise.reject(new Error("down")));
    expect(client.ended).toEqual(["history-unavailable"]);
  });

  test("live events piling up behind a slow replay end the connection instead of growing", async () => {
    const client = recording();
    const session = new LiveSession("u", client.transport, 2);
    void session.start(message(1).id, () => new Promise(() => {}));
    for (let n = 2; n <= 4; n++) session.push(message(n));
    expect(client.ended).toEqual(["slow-consumer"]);
  });

  test("a transport over its bound ends the connection as a slow consumer", async () => {
    const client = recording(2);
    const session = new LiveSession("u", client.transport, 100);
    await session.start(undefined, async () => ({ messages: [], complete: true }));
    for (let n = 1; n <= 3; n++) session.push(message(n));
    expect(client.ended).toEqual(["slow-consumer"]);
  });
});

describe("the hub", () => {
  test("a redelivered event is pushed once, and only to its owner", async () => {
    const hub = new Hub(100);
    const [mine, theirs] = [recording(), recording()];
    const a = new LiveSession("a", mine.transport, 100);
    const b = new LiveSession("b", theirs.transport, 100);
    for (const s of [a, b]) {
      hub.add(s);
      await s.start(undefined, async () => ({ messages: [], complete: true }));
    }
    expect(hub.publish("a", message(1))).toBe("delivered");
    expect(hub.publish("a", message(1))).toBe("duplicate");
    expect(mine.ids()).toEqual([message(1).id]);
    expect(theirs.ids()).toEqual([]);
  });

  test("the gap merges the history with recent events it has not recorded yet, in id order", async () => {
    const hub = new Hub(100);
    hub.publish("a", message(3));
    hub.publish("b", message(4));
    const missed = await hub.missed(
      "a",
      message(1).id,
      async () => ({ messages: [message(2)], complete: true }),
      10,
    );
    expect(missed.messages.map((m) => m.id)).toEqual([message(2).id, message(3).id]);
    const tooMany = await hub.missed(
      "a",
      message(1).id,
      async () => ({ messages: [message(2)], complete: true }),
      1,
    );
    expect(tooMany.complete).toBe(false);
  });
});
