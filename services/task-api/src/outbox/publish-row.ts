import { type CloudEvent, DaprRequestError, publishEvent, type Sidecar } from "@nudge/dapr";
import { validTraceparent, validTracestate } from "@nudge/http";
import type { OutboxRow } from "./store.ts";

/**
 * Why a publish failed, as far as the relay can tell:
 * - `rejected`: the sidecar refused this row (a 4xx other than 408/429 and other than "the
 *   pub/sub is not there", which is the deployment's fault, not the row's) — trying again sends
 *   the same bytes and gets the same answer;
 * - `invalid`: the row could never be delivered as it is (never sent): not a CloudEvent, bigger
 *   than the broker takes, or a partition key no consumer could receive;
 * - `transient`: anything else (5xx, timeout, connection refused) — worth another try.
 */
export type FailureKind = "rejected" | "invalid" | "transient";

/**
 * Our keys are task ids. A long one is corrupt, and dangerous: daprd may accept it on a warm
 * connection (its 4 KB header limit grows to about 16 KB once a connection has served a
 * request), and then every subscriber is handed it in a header and answers 431 on each retry.
 */
export const MAX_PARTITION_KEY_BYTES = 256;

export class PublishFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = "PublishFailure";
  }
}

/** Dapr error codes of a 4xx that says the sidecar is misconfigured or starting, not the row bad. */
const DEPLOYMENT_ERRORS = ["ERR_PUBSUB_NOT_FOUND", "ERR_PUBSUB_NOT_CONFIGURED", "ERR_PUBSUB_FORBIDDEN"];

export function classify(error: unknown): PublishFailure {
  if (error instanceof PublishFailure) return error;
  if (error instanceof DaprRequestError) {
    const { status, body } = error;
    const rejected =
      status >= 400 &&
      status < 500 &&
      status !== 408 &&
      status !== 429 &&
      !DEPLOYMENT_ERRORS.some((code) => body.includes(code));
    // Status first: the operation names the topic, which may be what is wrong (and long).
    const answer = body.replace(/\s+/g, " ").slice(0, 300);
    return new PublishFailure(
      rejected ? "rejected" : "transient",
      `the sidecar answered HTTP ${status}: ${answer}`,
    );
  }
  return new PublishFailure("transient", `publish failed: ${String(error)}`);
}

/**
 * The event as it is sent: rows stored before trace context was validated at the edge may carry
 * a traceparent or tracestate no one should forward (a 9 000-byte one made the sidecar answer
 * 431 forever), so they are checked again here and dropped when invalid.
 */
export function sendable(event: CloudEvent): CloudEvent {
  const { traceparent, tracestate, ...rest } = event;
  const parent = validTraceparent(traceparent);
  const state = parent ? validTracestate(tracestate) : undefined;
  return { ...rest, ...(parent ? { traceparent: parent } : {}), ...(state ? { tracestate: state } : {}) };
}

export interface PublishLimits {
  /** Largest event (JSON bytes) the broker accepts; bigger ones are parked without a try. */
  maxEventBytes: number;
  /** How long one publish may take before it counts as failed (the sidecar retries inside it). */
  timeoutMs: number;
}

/** The event as it is sent; throws an `invalid` PublishFailure for a row that never can be. */
export function prepareRow(row: OutboxRow, limits: PublishLimits): CloudEvent {
  const stored: unknown = row.event;
  if (typeof stored !== "object" || stored === null || Array.isArray(stored) || !("specversion" in stored)) {
    throw new PublishFailure(
      "invalid",
      "not a CloudEvent: the stored event is not an object with a specversion",
    );
  }
  const event = sendable(row.event);
  const bytes = Buffer.byteLength(JSON.stringify(event));
  if (bytes > limits.maxEventBytes) {
    throw new PublishFailure(
      "invalid",
      `event of ${bytes} bytes exceeds OUTBOX_MAX_EVENT_BYTES (${limits.maxEventBytes})`,
    );
  }
  const keyBytes = Buffer.byteLength(row.partition_key);
  if (keyBytes > MAX_PARTITION_KEY_BYTES) {
    throw new PublishFailure(
      "invalid",
      `partition key of ${keyBytes} bytes exceeds ${MAX_PARTITION_KEY_BYTES}`,
    );
  }
  return event;
}

/** Publish one row; throws a PublishFailure saying what kind of failure it was. */
export async function publishRow(sidecar: Sidecar, row: OutboxRow, limits: PublishLimits): Promise<void> {
  const event = prepareRow(row, limits);
  try {
    await publishEvent(sidecar, row.topic, event, {
      partitionKey: row.partition_key,
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (error) {
    throw classify(error);
  }
}
