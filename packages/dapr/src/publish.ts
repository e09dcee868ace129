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

/** One event of a bulk publish, with the partition key that keeps its entity's order. */
export interface BulkEntry {
  event: CloudEvent;
  partitionKey?: string;
}

/**
 * Publish many complete CloudEvents in one call to the sidecar (Dapr's bulk publish API, alpha
 * in 1.18; the Kafka component sends them in one producer batch). Each keeps our `id` and its
 * own partition key. Not transactional: if any entry fails the call throws, and the caller
 * publishes them all again — the ids are stable, so consumers skip the ones that got through.
 */
export async function publishEvents(
  sidecar: Sidecar,
  topic: string,
  entries: BulkEntry[],
  options: { pubsubName?: string } = {},
): Promise<void> {
  if (entries.length === 0) return;
  const pubsub = options.pubsubName ?? "pubsub";
  await daprFetch(sidecar, `bulk publish to ${topic}`, `/v1.0-alpha1/publish/bulk/${pubsub}/${topic}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(
      entries.map(({ event, partitionKey }, i) => ({
        entryId: String(i),
        event,
        contentType: "application/cloudevents+json",
        ...(partitionKey ? { metadata: { partitionKey } } : {}),
      })),
    ),
  });
}
