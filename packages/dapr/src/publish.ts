import { DaprRequestError, daprFetch, daprRequest, type Sidecar } from "./sidecar.ts";

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
    body: bulkBody(entries),
  });
}

/**
 * Like publishEvents, but a partial failure is an answer, not an error: resolves to the indexes
 * of the entries the sidecar reports failed (none: all published). Throws when the call itself
 * failed (a refusal, a timeout, an answer without its failed entries), so the caller cannot
 * tell which entries got through and must treat every one of them as unconfirmed.
 */
export async function publishEventsEach(
  sidecar: Sidecar,
  topic: string,
  entries: BulkEntry[],
  options: { pubsubName?: string; signal?: AbortSignal } = {},
): Promise<number[]> {
  if (entries.length === 0) return [];
  const pubsub = options.pubsubName ?? "pubsub";
  const operation = `bulk publish to ${topic}`;
  const response = await daprRequest(sidecar, `/v1.0-alpha1/publish/bulk/${pubsub}/${topic}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: bulkBody(entries),
    signal: options.signal,
  });
  const text = await response.text();
  if (response.ok) return [];
  const failed = failedEntryIds(text);
  if (!failed?.length) throw new DaprRequestError(operation, response.status, text);
  return failed.map(Number).filter((i) => Number.isInteger(i) && i >= 0 && i < entries.length);
}

/**
 * The bulk request's body. daprd gives every bulk entry its own span and writes that span's
 * trace into the envelope unless the event already has a `traceid` (its older name for the
 * traceparent): an event that carries a traceparent gets it as `traceid` too, so it stays in
 * its caller's trace, as a single publish with the traceparent header does.
 */
function bulkBody(entries: BulkEntry[]): string {
  return JSON.stringify(
    entries.map(({ event, partitionKey }, i) => ({
      entryId: String(i),
      event: event.traceparent ? { ...event, traceid: event.traceparent } : event,
      contentType: "application/cloudevents+json",
      ...(partitionKey ? { metadata: { partitionKey } } : {}),
    })),
  );
}

/** The entry ids of a bulk publish answer's `failedEntries` (daprd nests it in error_msg at times). */
function failedEntryIds(text: string): string[] | undefined {
  try {
    const body = JSON.parse(text) as { failedEntries?: Array<{ entryId?: unknown }>; error_msg?: unknown };
    if (Array.isArray(body.failedEntries)) return body.failedEntries.map((entry) => String(entry.entryId));
    if (typeof body.error_msg === "string") return failedEntryIds(body.error_msg);
  } catch {
    // Not JSON: the call failed as a whole.
  }
  return undefined;
}
