import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { CloudEvent } from "@nudge/dapr";
import { Elysia } from "elysia";
import { freePort } from "./ports.ts";
import type { TestStack } from "./stack.ts";
import { waitFor } from "./wait.ts";

export interface RecordedEvent extends CloudEvent {
  topic: string;
  receivedAt: number;
}

/**
 * A subscriber that records every CloudEvent delivered on the given topics, through its own
 * real daprd and declarative subscriptions — what any consumer service would see. The app-id
 * is fixed so its consumer group resumes where the last run stopped instead of replaying
 * the topics' whole history.
 */
export async function startEventRecorder(stack: TestStack, topics: string[], appId = "event-recorder") {
  const events: RecordedEvent[] = [];
  const app = new Elysia().post(
    "/events/:topic",
    ({ params, body }) => {
      events.push({ ...(body as CloudEvent), topic: params.topic, receivedAt: Date.now() });
      return { status: "SUCCESS" };
    },
    { parse: "json" },
  );
  const port = await freePort();
  app.listen({ port, hostname: "127.0.0.1" });

  // The run's own folder: another test process recording under the same app-id at the same
  // time must not replace these subscriptions between writing them and daprd reading them.
  const resources = join(stack.runDir, "test-resources", appId);
  rmSync(resources, { recursive: true, force: true }); // only this recorder's subscriptions
  mkdirSync(resources, { recursive: true });
  for (const topic of topics) {
    await Bun.write(
      join(resources, `subscription-${topic}.yaml`),
      [
        "apiVersion: dapr.io/v2alpha1",
        "kind: Subscription",
        "metadata:",
        `  name: ${appId}-${topic}`,
        "spec:",
        "  pubsubname: pubsub",
        `  topic: ${topic}`,
        "  routes:",
        `    default: /events/${topic}`,
        `scopes: [${appId}]`,
        "",
      ].join("\n"),
    );
  }
  const sidecar = await stack.sidecar({ appId, appPort: port, resourcesPaths: [resources] });
  return {
    events,
    sidecar,
    /** Events about one subject (e.g. a task id), in arrival order. */
    about: (subject: string, topic?: string) =>
      events.filter((e) => e.subject === subject && (topic === undefined || e.topic === topic)),
    /** Wait until `count` events match `predicate`; returns them. */
    waitForCount: (predicate: (e: RecordedEvent) => boolean, count: number, timeoutMs = 30_000) =>
      waitFor(
        `${count} matching events`,
        () => {
          const matching = events.filter(predicate);
          return matching.length >= count && matching;
        },
        { timeoutMs },
      ),
    /** Leaves the consumer group too, so a later recorder of the same app-id gets every event. */
    stop: async () => {
      await sidecar.stop();
      await app.stop(true);
    },
  };
}

export type EventRecorder = Awaited<ReturnType<typeof startEventRecorder>>;
