/** Typed errors services throw; `errors.ts` maps them to application/problem+json in one place. */
export interface FieldError {
  field: string;
  message: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
  ) {
    super(detail ?? title);
    this.name = "ProblemError";
  }
}

export const notFound = (what: string) =>
  new ProblemError(404, "not-found", "Not found", `${what} does not exist`);

export const invalid = (field: string, message: string) =>
  new ProblemError(422, "validation-failed", "Invalid request", `${field}: ${message}`, [{ field, message }]);

export const preconditionFailed = (current: number) =>
  new ProblemError(
    412,
    "precondition-failed",
    "Precondition failed",
    `If-Match does not match the current version (ETag "${current}")`,
  );

export const unauthorized = (detail: string) => new ProblemError(401, "unauthorized", "Unauthorized", detail);

export const conflict = (detail: string, field?: string) =>
  new ProblemError(409, "conflict", "Conflict", detail, field ? [{ field, message: detail }] : undefined);
