// Every error the client throws, what each says about the fate of the call (`outcome`), and the one
// redaction pass that keeps API keys and signing secrets out of them.
import type { components } from "../generated/api.js";

type ValidationIssue = components["schemas"]["ValidationError"];

/**
 * What a failed call did on the server, for code that must decide whether to try again:
 * - `not_sent`: nothing reached the API (configuration, invalid id, bad timeout, token function failed,
 *   or the connection was never established). Safe to fix and call again.
 * - `rejected`: the API answered with a status that means nothing changed (3xx, never followed; 4xx).
 * - `unknown`: the request was sent but no usable status came back (timeout, connection reset, 5xx).
 *   A rotate may have happened: check before rotating again.
 * - `secret_lost`: a 2xx arrived, so the rotation happened, but its body was cut, stalled, too big or had
 *   no readable secret. The new secret is gone: rotate again.
 */
export type CallOutcome = "not_sent" | "rejected" | "unknown" | "secret_lost";

// ---------------------------------------------------------------------------------------------------------
// Redaction. Servers and proxies can echo the Authorization header back (in a body, a request id, a
// Location, a transport error). Everything a server supplied goes through `scrubWith` before it is stored
// on an error: generic key and secret shapes plus the exact keys this client sent, in any case,
// URL-encoded or glued to other text, in strings and object keys, at any depth.

const REDACTED = "[redacted]";
/** Deeper than this, a value is replaced as a whole rather than walked. */
const MAX_DEPTH = 16;

// Each character of a prefix may also arrive percent-encoded (`hk%2D...`); the `i` flag covers case.
const encodedChar = (char: string) =>
  `(?:${char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")}|%${char.charCodeAt(0).toString(16).padStart(2, "0")})`;
const encodedLiteral = (text: string) => [...text].map(encodedChar).join("");
const TOKEN_TAIL = "(?:[A-Za-z0-9+/=_.~-]|%[0-9A-Fa-f]{2})*";
const CREDENTIAL_SOURCE = `(?:${encodedLiteral("hk-")}|${encodedLiteral("whsec_")})${TOKEN_TAIL}`;
const GENERIC = new RegExp(CREDENTIAL_SOURCE, "gi");

/** The credentials a scrub looks for: the generic shapes plus any exact keys a client knows it sent. */
export type KnownSecrets = readonly string[];

function patternFor(known: KnownSecrets): RegExp {
  if (known.length === 0) return GENERIC;
  const forms = new Set<string>();
  for (const secret of known) {
    if (secret.length < 4) continue; // too short to tell apart from ordinary text
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
  }
  const exact = [...forms].map((form) => form.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&"));
  return new RegExp([...exact, CREDENTIAL_SOURCE].join("|"), "gi");
}

/** `text` with every credential-shaped run replaced by `[redacted]`. */
function redactText(text: string, known: KnownSecrets = []): string {
  return text.replace(patternFor(known), REDACTED);
}

function scrubWith(value: unknown, pattern: RegExp, depth: number): unknown {
  if (typeof value === "string") return value.replace(pattern, REDACTED);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return `[redacted: nested deeper than ${MAX_DEPTH} levels]`;
  if (value instanceof Error) return scrubError(value, pattern, depth);
  if (Array.isArray(value)) return value.map((item) => scrubWith(item, pattern, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  // Class instances (sockets, headers, buffers) are not walked: their insides are not ours to show.
  if (prototype !== Object.prototype && prototype !== null)
    return `[${prototype?.constructor?.name ?? "object"}]`;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key.replace(pattern, REDACTED)] = scrubWith(item, pattern, depth + 1);
  }
  return copy;
}

// A stand-in for a foreign error (undici's "fetch failed" and its nested causes): same name, code and
// message, every own property and the whole cause chain scrubbed, nothing else kept.
function scrubError(error: Error, pattern: RegExp, depth: number): Error {
  if (isHaiAgentsError(error)) return error; // already scrubbed when it was built
  const Kind = error instanceof TypeError ? TypeError : error instanceof RangeError ? RangeError : Error;
  const copy = new Kind(String(error.message).replace(pattern, REDACTED));
  copy.name = String(error.name).replace(pattern, REDACTED);
  copy.stack = `${copy.name}: ${copy.message}`;
  for (const key of Object.getOwnPropertyNames(error)) {
    if (key === "message" || key === "stack" || key === "name") continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    Object.defineProperty(copy, key.replace(pattern, REDACTED), {
      value: scrubWith(value, pattern, depth + 1),
      enumerable: key !== "cause",
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------------------
// Describing an error body in one line.

const MAX_DETAIL_LENGTH = 300;

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_DETAIL_LENGTH)}…` : oneLine;
}

function isIssue(value: unknown): value is ValidationIssue {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return Array.isArray(entry.loc) && typeof entry.msg === "string" && typeof entry.type === "string";
}

/** The entries of a 422 body (`{"detail": [...]}`) that have the documented shape. */
function validationIssues(body: unknown): ValidationIssue[] {
  if (typeof body !== "object" || body === null) return [];
  const detail = (body as Record<string, unknown>).detail;
  return Array.isArray(detail) ? detail.filter(isIssue) : [];
}

/**
 * One line describing an (already scrubbed) error body: the API's `{detail}` string or 422 list, the
 * gateway's `{message}`, or plain text such as a proxy's HTML page. "" when there is nothing useful.
 */
function describeErrorBody(body: unknown): string {
  if (typeof body === "string") return clip(body);
  if (typeof body !== "object" || body === null) return "";
  const issues = validationIssues(body);
  if (issues.length > 0)
    return clip(issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; "));
  const record = body as Record<string, unknown>;
  for (const key of ["detail", "message"] as const) {
    const value = record[key];
    if (typeof value === "string" && value.trim() !== "") return clip(value);
  }
  return "";
}

// ---------------------------------------------------------------------------------------------------------
// The classes.

// A registered symbol survives bundling twice and crossing realms, where `instanceof` does not.
const BRAND = Symbol.for("hai-webhook-rotate.HaiAgentsError");

interface BaseInit {
  outcome: CallOutcome;
  statusCode?: number | undefined;
  body?: unknown;
  cause?: unknown;
  /** Exact keys the client sent, so that an echo of them is redacted too. */
  known?: KnownSecrets | undefined;
}

/**
 * Base class of every error the client (`hai-webhook-rotate`) throws, as in the official SDK, so code
 * written against it (`err instanceof HaiAgentsError && err.statusCode === 404`) keeps working. The only
 * exceptions are a caller's own abort reason and errors from the caller's own middleware, which are
 * rethrown as they are. (The webhook helpers in `hai-webhook-rotate/webhooks` throw
 * `WebhookVerificationError` instead.)
 */
export class HaiAgentsError extends Error {
  override name = "HaiAgentsError";
  /** What the failed call did on the server: see {@link CallOutcome}. */
  readonly outcome: CallOutcome;
  /** HTTP status, when the error comes from a response. */
  readonly statusCode: number | undefined;
  /** Parsed response body (or its text when it was not JSON), credentials redacted. */
  readonly body: unknown;

  constructor(message: string, init: BaseInit) {
    const pattern = patternFor(init.known ?? []);
    super(
      message.replace(pattern, REDACTED),
      init.cause === undefined ? undefined : { cause: scrubWith(init.cause, pattern, 0) },
    );
    this.outcome = init.outcome;
    this.statusCode = init.statusCode;
    this.body = scrubWith(init.body, pattern, 0);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `JSON.stringify(error)` shows the message too, not only the enumerable fields. */
  toJSON(): Record<string, unknown> {
    return { ...(this as object), name: this.name, message: this.message };
  }
}

/** True for any error thrown by this package's client, even one created by another copy of it. */
export function isHaiAgentsError(value: unknown): value is HaiAgentsError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A client option or environment variable is missing or unusable. Nothing was sent. */
export class HaiAgentsConfigurationError extends HaiAgentsError {
  override name = "HaiAgentsConfigurationError";
  /** Which setting is wrong. */
  readonly setting: "apiKey" | "baseUrl" | "timeoutInSeconds";
  constructor(setting: HaiAgentsConfigurationError["setting"], message: string, cause?: unknown) {
    super(`${message} Nothing was sent.`, { outcome: "not_sent", cause });
    this.setting = setting;
  }
}

// Echo a rejected id only when that is safe and useful: never a credential pasted into the wrong
// argument, never a wall of text.
function describeRejectedId(value: unknown): string {
  if (typeof value !== "string") return `a value of type ${value === null ? "null" : typeof value}`;
  if (value === "") return "an empty string";
  if (redactText(value) !== value)
    return `a string of ${value.length} characters that looks like a credential`;
  if (value.length > 64 || /[^\x20-\x7e]/.test(value)) return `a string of ${value.length} characters`;
  return JSON.stringify(value);
}

/** The webhook id is not a hyphenated UUID. Raised before any request is sent. */
export class InvalidWebhookIdError extends HaiAgentsError {
  override name = "InvalidWebhookIdError";
  constructor(value: unknown) {
    super(
      `webhookId must be the webhook's UUID, like "f47ac10b-58cc-4372-a567-0e02b2c3d479", but got ` +
        `${describeRejectedId(value)}. No request was sent. Use the \`id\` returned when the webhook was ` +
        "created or listed.",
      { outcome: "not_sent" },
    );
  }
}

/**
 * The server answered with a redirect (3xx). It was not followed: a keyed request is only ever sent to the
 * configured origin. `locationOrigin` is where it pointed (origin only, never its path or query).
 */
export class HaiAgentsRedirectError extends HaiAgentsError {
  override name = "HaiAgentsRedirectError";
  /** The 3xx status, or 0 when a browser hid it (an opaque redirect). */
  readonly status: number;
  /** Origin of the `Location` header, if there was one that parses. */
  readonly locationOrigin: string | undefined;
  constructor(init: {
    operation: string;
    status: number;
    locationOrigin: string | undefined;
    known?: KnownSecrets;
  }) {
    const status = init.status === 0 ? "a redirect (status hidden by the browser)" : `HTTP ${init.status}`;
    const target = init.locationOrigin ? ` to ${init.locationOrigin}` : "";
    super(
      `${init.operation} was answered with ${status}${target}. It was not followed: the request and its key ` +
        "were sent once, to the configured origin only, and nothing was changed there. Point the base URL at " +
        "the API's own origin (a proxy or an old hostname may be redirecting).",
      { outcome: "rejected", statusCode: init.status || undefined, known: init.known },
    );
    this.status = init.status;
    this.locationOrigin =
      init.locationOrigin === undefined ? undefined : redactText(init.locationOrigin, init.known);
  }
}

/** The request left, but no status line came back within the timeout. The outcome is unknown. */
export class HaiAgentsTimeoutError extends HaiAgentsError {
  override name = "HaiAgentsTimeoutError";
  readonly timeoutInSeconds: number;
  constructor(init: {
    operation: string;
    timeoutInSeconds: number;
    advice: string;
    cause?: unknown;
    known?: KnownSecrets;
  }) {
    super(`${init.operation} got no response within ${init.timeoutInSeconds} s. ${init.advice}`, {
      outcome: "unknown",
      cause: init.cause,
      known: init.known,
    });
    this.timeoutInSeconds = init.timeoutInSeconds;
  }
}

/**
 * The connection failed. `outcome` is `not_sent` when it was never established (refused, unknown host),
 * `unknown` when it broke after the request may have left (reset before the status line).
 */
export class HaiAgentsNetworkError extends HaiAgentsError {
  override name = "HaiAgentsNetworkError";
  constructor(init: {
    operation: string;
    origin: string;
    outcome: "not_sent" | "unknown";
    advice: string;
    cause: unknown;
    known?: KnownSecrets;
  }) {
    const reason = networkReason(init.cause);
    const what =
      init.outcome === "not_sent"
        ? `could not connect to ${init.origin}${reason}, so nothing was sent. Check the base URL and the ` +
          "network, then try again."
        : `lost the connection to ${init.origin}${reason}. ${init.advice}`;
    super(`${init.operation} ${what}`, { outcome: init.outcome, cause: init.cause, known: init.known });
  }
}

function networkReason(error: unknown): string {
  const inner = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(inner instanceof Error)) return "";
  const code = (inner as { code?: unknown }).code;
  return ` (${typeof code === "string" ? `${code}: ` : ""}${inner.message})`;
}

/**
 * A 2xx arrived but its body is not what the operation documents (cut, stalled, too big, not JSON, missing
 * fields). For `getWebhook` and `pingWebhook` nothing changed on the server. The body is not kept.
 */
export class UnexpectedResponseError extends HaiAgentsError {
  override name = "UnexpectedResponseError";
  constructor(message: string, statusCode: number, outcome: CallOutcome = "unknown", cause?: unknown) {
    super(message, { statusCode, outcome, cause });
  }
}

/**
 * A rotate answered 2xx, so the secret was rotated, but the new secret could not be read (the body was
 * cut, stalled, too big, or had no `secret`). The old secret no longer signs deliveries: rotate again.
 */
export class SecretNotReceivedError extends UnexpectedResponseError {
  override name = "SecretNotReceivedError";
  constructor(operation: string, statusCode: number, problem: string, cause?: unknown) {
    super(
      `${operation} answered HTTP ${statusCode}, so the secret was rotated, but ${problem}. The new secret ` +
        "is lost and the old one no longer signs deliveries. Rotate again and store the secret from that " +
        "response.",
      statusCode,
      "secret_lost",
      cause,
    );
  }
}

interface ApiErrorInit {
  statusCode: number;
  body: unknown;
  /** Name of the operation, used in the message. */
  operation: string;
  /** Value of the response's `X-Request-Id` header, if any: quote it to support. */
  requestId?: string | undefined;
  /** Said after the summary when the body could not be read. */
  bodyProblem?: string | undefined;
  /** What a 5xx means for this operation (a rotate may have happened). */
  advice?: string | undefined;
  webhookId?: string | undefined;
  known?: KnownSecrets | undefined;
  /** Said of a refused call: "Nothing was rotated." for rotate (the default says "changed"). */
  unchanged?: string | undefined;
  /** Overrides the outcome the status implies (4xx rejected, 5xx unknown). */
  outcome?: CallOutcome | undefined;
}

/** The API answered with a status this package has no dedicated class for (e.g. 429, 500). */
export class HaiAgentsApiError extends HaiAgentsError {
  override name = "HaiAgentsApiError";
  declare readonly statusCode: number;
  /** The response's request id (credentials redacted, at most 200 characters): quote it to support. */
  readonly requestId: string | undefined;

  constructor(init: ApiErrorInit, summary?: string, hint?: string) {
    const pattern = patternFor(init.known ?? []);
    const body = scrubWith(init.body, pattern, 0);
    const requestId = init.requestId?.replace(pattern, REDACTED).slice(0, 200);
    const parts = [summary ?? `${init.operation} failed with HTTP ${init.statusCode}.`];
    const detail = describeErrorBody(body);
    if (detail) parts.push(`Server said: "${detail}".`);
    if (init.bodyProblem) parts.push(`(The body could not be read: ${init.bodyProblem}.)`);
    const serverError = init.statusCode >= 500;
    if (hint) parts.push(hint);
    else if (serverError && init.advice) parts.push(init.advice);
    if (requestId) parts.push(`Request id: ${requestId}.`);
    super(parts.join(" "), {
      outcome: init.outcome ?? (serverError ? "unknown" : "rejected"),
      statusCode: init.statusCode,
      body,
      known: init.known,
    });
    this.requestId = requestId;
  }
}

/** 400: the API refused the request as it stands (for ping: the webhook URL is not public `https://`). */
export class BadRequestError extends HaiAgentsApiError {
  override name = "BadRequestError";
  constructor(init: ApiErrorInit) {
    super(
      init,
      `${init.operation} was refused (HTTP 400). ${unchanged(init)}`,
      "For a ping, the webhook URL must be https:// and resolve to a public address.",
    );
  }
}

/** 401: the gateway rejected the API key (missing, malformed, revoked, or for another region). */
export class UnauthorizedError extends HaiAgentsApiError {
  override name = "UnauthorizedError";
  constructor(init: ApiErrorInit) {
    super(
      init,
      `${init.operation} was rejected: the API key is missing or not valid (HTTP 401). ${unchanged(init)}`,
      "Check that HAI_API_KEY (or the `token` option) holds a current key and that it was issued for this region.",
    );
  }
}

/** 404: no webhook with that id, or it belongs to an account the key cannot access. Nothing changed. */
export class NotFoundError extends HaiAgentsApiError {
  override name = "NotFoundError";
  constructor(init: ApiErrorInit) {
    super(
      init,
      init.webhookId
        ? `Webhook ${init.webhookId} was not found, or this API key has no access to it (HTTP 404). ${unchanged(init)}`
        : `${init.operation} found nothing at that path (HTTP 404).`,
      "Check the id, and that the key and base URL are for the account and region that own the webhook.",
    );
  }
}

/** 422: the request failed the API's validation. Nothing changed. `issues` lists what was wrong. */
export class UnprocessableEntityError extends HaiAgentsApiError {
  override name = "UnprocessableEntityError";
  /** The validation problems the API reported, in order, credentials redacted. */
  readonly issues: readonly ValidationIssue[];
  constructor(init: ApiErrorInit) {
    super(init, `${init.operation} was refused as invalid (HTTP 422). ${unchanged(init)}`);
    this.issues = validationIssues(this.body);
  }
}

/**
 * 502 from a ping: the platform could not reach the webhook's URL (connection error or timeout). The
 * answer is definitive for this ping, which is never retried; fix the receiver and ping again.
 */
export class ReceiverUnreachableError extends HaiAgentsApiError {
  override name = "ReceiverUnreachableError";
  constructor(init: ApiErrorInit) {
    super(
      { ...init, outcome: "rejected" },
      `${init.operation}: the platform could not reach the receiver at the webhook's URL (HTTP 502).`,
      "Check that the receiver is running and reachable from the internet over https, then ping again.",
    );
  }
}

const unchanged = (init: ApiErrorInit) => init.unchanged ?? "Nothing was changed.";

/** Builds the most specific error class for a failed response. */
export function apiErrorFor(init: ApiErrorInit & { ping?: boolean }): HaiAgentsApiError {
  switch (init.statusCode) {
    case 400:
      return new BadRequestError(init);
    case 401:
      return new UnauthorizedError(init);
    case 404:
      return new NotFoundError(init);
    case 422:
      return new UnprocessableEntityError(init);
    case 502:
      return init.ping ? new ReceiverUnreachableError(init) : new HaiAgentsApiError(init);
    default:
      return new HaiAgentsApiError(init);
  }
}
