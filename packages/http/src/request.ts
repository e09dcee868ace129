import { JsonRejection, parseStrictJson } from "./json.ts";
import { ProblemError } from "./problem.ts";

/** Request bodies are JSON of at most this many bytes, whatever Content-Length claims. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * All header lines together. Bun's own parser refuses more than 16 KiB with a bare 431 before any
 * code of ours runs; below that, this limit answers with a problem.
 */
export const MAX_HEADER_BYTES = 8 * 1024;
/** The request target (path and query). */
export const MAX_URL_BYTES = 4 * 1024;

/**
 * What Bun hands to the app. Bun itself closes the connection on a method it does not know, and
 * answers other protocol violations (conflicting Content-Length/Transfer-Encoding, headers over
 * 16 KiB) with a bare status line: see docs/decisions.md.
 */
export const SERVE_OPTIONS = {
  // Bun's own limit answers 413 with no body; ours (MAX_BODY_BYTES) answers with a problem.
  maxRequestBodySize: Number.MAX_SAFE_INTEGER,
};

export const badRequest = (field: string, message: string, slug = "invalid-request", title = "Bad request") =>
  new ProblemError(400, slug, title, `${field}: ${message}`, [{ field, message }]);

function headerBytes(headers: Headers): number {
  let total = 0;
  headers.forEach((value, name) => {
    total += name.length + value.length + 4;
  });
  return total;
}

/** Percent-decoding that refuses malformed escapes, invalid UTF-8 and U+0000. */
function decodeComponent(text: string, field: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw badRequest(field, "is not valid percent-encoded UTF-8");
  }
  if (decoded.includes("\u0000")) throw badRequest(field, "must not contain U+0000");
  return decoded;
}

/**
 * The checks every request passes before routing: sizes, a well-formed path, and a query string
 * in which each parameter appears at most once (`limit=1&limit=2` is ambiguous, not "the last").
 */
export function checkRequestShape(request: Request, url: URL, maxBodyBytes = MAX_BODY_BYTES): void {
  if (headerBytes(request.headers) > MAX_HEADER_BYTES) {
    throw new ProblemError(
      431,
      "headers-too-large",
      "Request header fields too large",
      `headers are limited to ${MAX_HEADER_BYTES} bytes in all`,
    );
  }
  const length = request.headers.get("content-length");
  if (length !== null && (!/^\d{1,15}$/.test(length) || Number(length) > maxBodyBytes)) {
    throw new ProblemError(
      413,
      "payload-too-large",
      "Payload too large",
      `bodies are limited to ${maxBodyBytes} bytes`,
    );
  }
  if (url.pathname.length + url.search.length > MAX_URL_BYTES) {
    throw new ProblemError(
      414,
      "uri-too-long",
      "URI too long",
      `the path and query are limited to ${MAX_URL_BYTES} bytes`,
    );
  }
  decodeComponent(url.pathname, "path");
  const seen = new Set<string>();
  for (const pair of url.search.slice(1).split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decodeComponent(rawName.replaceAll("+", " "), "query");
    if (seen.has(name)) throw badRequest(`query.${name}`, "is given more than once");
    seen.add(name);
    if (eq !== -1) decodeComponent(pair.slice(eq + 1).replaceAll("+", " "), `query.${name}`);
  }
}

const JSON_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/;

/**
 * A request's body as JSON, strictly: one content type (application/json, or for sidecar
 * deliveries application/cloudevents+json), at most MAX_BODY_BYTES (or the given limit) read however the body is
 * framed, UTF-8 only, then parseStrictJson. No body (or an empty one) is undefined.
 */
export async function readJsonBody(
  request: Request,
  acceptedTypes: readonly string[],
  maxBodyBytes = MAX_BODY_BYTES,
): Promise<unknown> {
  if (!request.body) return undefined;
  const bytes = await readCapped(request.body, maxBodyBytes);
  if (bytes.length === 0) return undefined;
  const header = request.headers.get("content-type") ?? "";
  const [type = "", ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (!acceptedTypes.includes(type) || !JSON_TYPE.test(type)) {
    throw new ProblemError(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      `bodies must be ${acceptedTypes.join(" or ")}`,
      [{ field: "header.content-type", message: `must be ${acceptedTypes.join(" or ")}` }],
    );
  }
  const text = utf8Text(bytes, params);
  try {
    return parseStrictJson(text);
  } catch (error) {
    if (!(error instanceof JsonRejection)) throw error;
    if (error.malformed) throw badRequest(error.field, error.message, "malformed-body", "Malformed body");
    throw new ProblemError(422, "validation-failed", "Invalid request", `${error.field}: ${error.message}`, [
      { field: error.field, message: error.message },
    ]);
  }
}

/** A body's text: UTF-8 only, whatever the content type's charset parameter claims otherwise. */
function utf8Text(bytes: Uint8Array, contentTypeParams: string[]): string {
  const charset = contentTypeParams.find((p) => p.startsWith("charset="));
  if (charset && charset.replace(/^charset="?|"$/g, "") !== "utf-8") {
    throw badRequest("header.content-type", "the only accepted charset is utf-8");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw badRequest("body", "is not valid UTF-8", "malformed-body", "Malformed body");
  }
}

async function readCapped(body: ReadableStream<Uint8Array>, maxBodyBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => {});
      throw new ProblemError(
        413,
        "payload-too-large",
        "Payload too large",
        `bodies are limited to ${maxBodyBytes} bytes`,
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const FORM_TYPE = "application/x-www-form-urlencoded";

/**
 * A page's form body (application/x-www-form-urlencoded), as strictly as JSON bodies: the one
 * content type, at most MAX_BODY_BYTES, UTF-8 only, every name at most once, no malformed escape
 * or U+0000. No body (or an empty one) is undefined; otherwise each field's text by name.
 */
export async function readFormBody(request: Request): Promise<Record<string, string> | undefined> {
  if (!request.body) return undefined;
  const bytes = await readCapped(request.body, MAX_BODY_BYTES);
  if (bytes.length === 0) return undefined;
  const header = request.headers.get("content-type") ?? "";
  const [type = "", ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type !== FORM_TYPE) {
    throw new ProblemError(
      415,
      "unsupported-media-type",
      "Unsupported media type",
      `bodies must be ${FORM_TYPE}`,
      [{ field: "header.content-type", message: `must be ${FORM_TYPE}` }],
    );
  }
  const text = utf8Text(bytes, params);
  const fields: Record<string, string> = {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeComponent((eq === -1 ? pair : pair.slice(0, eq)).replaceAll("+", " "), "body");
    if (Object.hasOwn(fields, name)) throw badRequest(`body.${name}`, "is given more than once");
    fields[name] = eq === -1 ? "" : decodeComponent(pair.slice(eq + 1).replaceAll("+", " "), `body.${name}`);
  }
  return fields;
}
