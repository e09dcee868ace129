import { daprFetch, type Sidecar } from "./sidecar.ts";

/** A CloudEvents 1.0 envelope as Nudge publishes it (JSON data, our own id). */
export interface CloudEvent<Data = unknown> {
  specversion: "1.0";
  id: string;
  type: string;
  source: string;
  subject?: string;
  time: string;
  datacontenttype: "application/json";
  data: Data;
  traceparent?: string;
  tracestate?: string;
}

export interface PublishOptions {
  pubsubName?: string;
  /** Kafka partition key: events of one entity share a key and so keep their order. */
  partitionKey?: string;
  /** Gives up (the request is aborted) when this signal fires, e.g. AbortSignal.timeout(ms). */
  signal?: AbortSignal;
}

/**
 * Publish a complete CloudEvent. Sent as application/cloudevents+json so the sidecar keeps our
 * `id` (the outbox id) instead of minting its own — consumers deduplicate on it.
 */
export async function publishEvent(
  sidecar: Sidecar,
  topic: string,
  event: CloudEvent,
  options: PublishOptions = {},
): Promise<void> {
  const pubsub = options.pubsubName ?? "pubsub";
  const query = options.partitionKey
    ? `?metadata.partitionKey=${encodeURIComponent(options.partitionKey)}`
    : "";
  await daprFetch(sidecar, `publish to ${topic}`, `/v1.0/publish/${pubsub}/${topic}${query}`, {
    method: "POST",
    // The sidecar rewrites the envelope's traceparent with its own span; sending ours as the
    // request's trace context keeps the event in the caller's trace.
    headers: {
      "content-type": "application/cloudevents+json",
      ...(event.traceparent ? { traceparent: event.traceparent } : {}),
      ...(event.traceparent && event.tracestate ? { tracestate: event.tracestate } : {}),
    },
    body: JSON.stringify(event),
    signal: options.signal,
  });
}
