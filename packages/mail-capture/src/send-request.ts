import { type ResendError, resendError } from "./resend-errors.ts";

/** The fields of a send request this server keeps, named as Resend's JSON body names them. */
export interface SendRequest {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  tags: unknown[];
  attachments: unknown[];
  scheduledAt: string | null;
}

// Resend's own limit on `to`; cc and bcc have the same one.
const MAX_RECIPIENTS = 50;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const NAMED_ADDRESS = /^[^<>]*<\s*([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)\s*>$/;

/** The bare address of `a@b.co` or `Name <a@b.co>`, lower-cased; undefined if it is neither. */
export function bareAddress(value: string): string | undefined {
  const trimmed = value.trim();
  if (ADDRESS.test(trimmed)) return trimmed.toLowerCase();
  return NAMED_ADDRESS.exec(trimmed)?.[1]?.toLowerCase();
}

const isMissing = (value: unknown) => value === undefined || value === null || value === "";

const invalidAddress = (field: string) =>
  resendError(
    422,
    "validation_error",
    `Invalid \`${field}\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`,
  );

const invalidField = (field: string) => resendError(422, "validation_error", `Invalid \`${field}\` field.`);

function addressList(body: Record<string, unknown>, field: string): string[] | ResendError {
  const value = body[field];
  if (isMissing(value)) return [];
  const list = Array.isArray(value) ? value : [value];
  if (list.length > MAX_RECIPIENTS) {
    return resendError(
      422,
      "validation_error",
      `Too many recipients in \`${field}\`. The maximum is ${MAX_RECIPIENTS}.`,
    );
  }
  const valid = list.every(
    (item): item is string => typeof item === "string" && bareAddress(item) !== undefined,
  );
  return valid ? list : invalidAddress(field);
}

function optionalString(body: Record<string, unknown>, field: string): string | null | ResendError {
  const value = body[field];
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : invalidField(field);
}

/**
 * Checks a POST /emails body the way Resend does: an absent required field is
 * `missing_required_field`, a present but malformed one is `validation_error`, both 422.
 */
export function parseSendRequest(body: unknown): SendRequest | ResendError {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return resendError(422, "validation_error", "The request body must be a JSON object.");
  }
  const fields = body as Record<string, unknown>;
  for (const field of ["from", "to"]) {
    if (isMissing(fields[field]) || (Array.isArray(fields[field]) && fields[field].length === 0)) {
      return resendError(422, "missing_required_field", `Missing \`${field}\` field.`);
    }
  }
  // A template supplies its own subject, so only a template-less email needs one.
  if (isMissing(fields.subject) && isMissing(fields.template)) {
    return resendError(422, "missing_required_field", "Missing `subject` field.");
  }
  if (typeof fields.from !== "string" || bareAddress(fields.from) === undefined)
    return invalidAddress("from");

  const to = addressList(fields, "to");
  if (isError(to)) return to;
  const cc = addressList(fields, "cc");
  if (isError(cc)) return cc;
  const bcc = addressList(fields, "bcc");
  if (isError(bcc)) return bcc;
  const replyTo = addressList(fields, "reply_to");
  if (isError(replyTo)) return replyTo;
  const subject = optionalString(fields, "subject");
  if (isError(subject)) return subject;
  const html = optionalString(fields, "html");
  if (isError(html)) return html;
  const text = optionalString(fields, "text");
  if (isError(text)) return text;
  const scheduledAt = optionalString(fields, "scheduled_at");
  if (isError(scheduledAt)) return scheduledAt;
  const { headers = {}, tags = [], attachments = [] } = fields;
  if (typeof headers !== "object" || headers === null || Array.isArray(headers))
    return invalidField("headers");
  if (!Array.isArray(tags)) return invalidField("tags");
  if (!Array.isArray(attachments)) return invalidField("attachments");
  return {
    from: fields.from,
    to,
    cc,
    bcc,
    replyTo,
    subject: subject ?? "",
    html,
    text,
    headers: headers as Record<string, string>,
    tags,
    attachments,
    scheduledAt,
  };
}

export function isError(value: unknown): value is ResendError {
  return typeof value === "object" && value !== null && "statusCode" in value && "name" in value;
}
