// Errors for HTTP responses the API answered with a failure status. Failures that happen before a
// request is sent, or without any response, live in client-errors.ts.
import { describeErrorBody, redactBody, validationIssues } from "./error-body.js";
import type { ValidationIssue } from "./types.js";

// A registered symbol survives bundling twice and crossing realms, where `instanceof` does not.
const BRAND = Symbol.for("hai-webhook-rotate.HaiAgentsError");

/**
 * Base class of every error this package throws. Mirrors the official SDK's `HaiAgentsError`, so code
 * written against it (`err instanceof HaiAgentsError && err.statusCode === 404`) keeps working.
 */
export class HaiAgentsError extends Error {
  override name = "HaiAgentsError";
  /** HTTP status, when the error comes from a response. */
  readonly statusCode: number | undefined;
  /** Parsed response body (or its text when it was not JSON), when the error comes from a response. */
  readonly body: unknown;

  constructor(message: string, options: { statusCode?: number; body?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
    this.body = options.body;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** True for any error thrown by this package, even one created by another copy of it. */
export function isHaiAgentsError(value: unknown): value is HaiAgentsError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

interface ApiErrorInit {
  statusCode: number;
  body: unknown;
  /** Name of the operation, used in the message. */
  operation: string;
  /** Value of the response's request id header, if any: quote it to support. */
  requestId?: string | undefined;
}

/** The API answered with a status this package has no dedicated class for (e.g. 429, 500). */
export class HaiAgentsApiError extends HaiAgentsError {
  override name = "HaiAgentsApiError";
  declare readonly statusCode: number;
  readonly requestId: string | undefined;

  constructor(init: ApiErrorInit, summary?: string, hint?: string) {
    const parts = [summary ?? `${init.operation} failed with HTTP ${init.statusCode}.`];
    const detail = describeErrorBody(init.body);
    if (detail) parts.push(`Server said: "${detail}".`);
    if (hint) parts.push(hint);
    if (init.requestId) parts.push(`Request id: ${init.requestId}.`);
    // The body is kept for callers to branch on, minus anything that looks like a credential.
    super(parts.join(" "), { statusCode: init.statusCode, body: redactBody(init.body) });
    this.requestId = init.requestId;
  }
}

/** 401: the gateway rejected the API key (missing, malformed, revoked, or for another region). */
export class UnauthorizedError extends HaiAgentsApiError {
  override name = "UnauthorizedError";
  constructor(init: ApiErrorInit) {
    super(
      init,
      `${init.operation} was rejected: the API key is missing or not valid (HTTP 401).`,
      "Check that HAI_API_KEY (or the `token` option) holds a current key and that it was issued for this region.",
    );
  }
}

/** 404: no webhook with that id, or it belongs to an account the key cannot access. Nothing was rotated. */
export class NotFoundError extends HaiAgentsApiError {
  override name = "NotFoundError";
  constructor(init: ApiErrorInit & { webhookId?: string }) {
    super(
      init,
      init.webhookId
        ? `Webhook ${init.webhookId} was not found, or this API key has no access to it (HTTP 404). Nothing was rotated.`
        : `${init.operation} found nothing at that path (HTTP 404).`,
      "Check the id, and that the key and base URL are for the account and region that own the webhook.",
    );
  }
}

/** 422: the request failed the API's validation. Nothing was rotated. `issues` lists what was wrong. */
export class UnprocessableEntityError extends HaiAgentsApiError {
  override name = "UnprocessableEntityError";
  /** The validation problems the API reported, in order (empty if the body did not list any). */
  readonly issues: readonly ValidationIssue[];
  constructor(init: ApiErrorInit) {
    super(init, `${init.operation} was refused as invalid (HTTP 422). Nothing was rotated.`);
    this.issues = validationIssues(init.body);
  }
}

/** Builds the most specific error class for a failed response. */
export function apiErrorFor(init: ApiErrorInit & { webhookId?: string }): HaiAgentsApiError {
  switch (init.statusCode) {
    case 401:
      return new UnauthorizedError(init);
    case 404:
      return new NotFoundError(init);
    case 422:
      return new UnprocessableEntityError(init);
    default:
      return new HaiAgentsApiError(init);
  }
}
