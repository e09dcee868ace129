import type { CloudEvent } from "@nudge/dapr";
import { Elysia } from "elysia";

/**
 * The foundation's smoke app: an Elysia service that only records what Dapr delivers to it,
 * so tests can check pub/sub delivery and job triggers against a real sidecar.
 */
export function smokeApp() {
  const received: CloudEvent[] = [];
  const triggers: Array<{ name: string; at: number; data: unknown }> = [];

  const app = new Elysia()
    .get("/healthz", () => "ok")
    // Dapr delivers application/cloudevents+json, which Elysia only parses when told to.
    .post(
      "/events/task-events",
      ({ body }) => {
        received.push(body as CloudEvent);
        return { status: "SUCCESS" };
      },
      { parse: "json" },
    )
    .post(
      "/job/:name",
      ({ params, body }) => {
        triggers.push({ name: params.name, at: Date.now(), data: body });
        return new Response(null, { status: 200 });
      },
      { parse: "json" },
    );

  return { app, received, triggers };
}
