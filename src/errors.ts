// Every error the client throws, what each says about the fate of the call (`outcome`), the one table of
// what each operation is called and what to do when its fate is unclear, and the one redaction pass that
// keeps API keys, signing secrets and anything else the server sent out of them.
import type { components } from "../generated/api.js";

type ValidationIssue = components["schemas"]["ValidationError"];

/**
 * What a failed call did on the server, for code that must decide whether to try again:
 * - `not_sent`: nothing reached the API (configuration, invalid id, bad timeout, a key or header that cannot
 *   be sent, token function failed, connection never established, TLS handshake or certificate refused).
 *   Safe to fix and call again.
 * - `rejected`: the API answered with a status that means nothing changed (3xx, never followed; 4xx).
 * - `unknown`: the request was sent but no usable status came back (timeout, connection reset, 5xx, a
 *   status outside HTTP's range). A rotate may have happened: check before rotating again.
 * - `secret_lost`: a 2xx arrived, so the rotation happened, but its body was cut, stalled, too big or had
 *   no readable secret. The new secret is gone: rotate again.
 */
export type CallOutcome = "not_sent" | "rejected" | "unknown" | "secret_lost";

// ---------------------------------------------------------------------------------------------------------
// The operations. Messages name the operation and give its advice from here, whichever client made the call.

/** @internal What messages call an operation, and what its failures mean. */
export interface Operation {
  /** Starts messages: "Rotating the webhook secret answered HTTP 200 but ...". */
  label: string;
  /** Sent, but no usable answer came back (timeout, connection lost, 5xx). */
  unknown: string;
  /** A 2xx arrived but its body could not be read (rotate has its own error for this: the secret is lost). */
  unreadable: string;
  /** Said when the API refused the call. */
  unchanged: string;
  /** A 2xx means a new secret exists, so a body that cannot be read loses it. */
  returnsSecret?: true;
  /** A 502 means the platform could not reach the receiver. */
  ping?: true;
}

const OPERATIONS: Record<string, Operation> = {
  "POST /api/v2/webhooks/{webhook_id}/rotate": {
    label: "Rotating the webhook secret",
    unknown:
      "The secret may or may not have been rotated, and the request was not retried: rotating is not " +
      "idempotent, so a second call would discard a new secret you never saw. Check whether deliveries " +
      "still verify with the secrets you hold (getWebhook's lastSuccessAt helps) before rotating again.",
    unreadable: "",
    unchanged: "Nothing was rotated.",
    returnsSecret: true,
  },
  "POST /api/v2/webhooks/{webhook_id}/ping": {
    label: "Pinging the webhook",
    unknown: "The ping may or may not have been delivered; it changes nothing, so pinging again is safe.",
    unreadable: "The ping was sent; it changes nothing, so pinging again is safe.",
    unchanged: "No ping was sent.",
    ping: true,
  },
  "GET /api/v2/webhooks/{webhook_id}": {
    label: "Getting the webhook",
    unknown: "A read changes nothing; try again.",
    unreadable: "A read changes nothing; try again.",
    unchanged: "Nothing was changed.",
  },
};

/** @internal The operation of `method` on the spec path `path` (a path outside the table gets plain words). */
export function operationOf(method: string, path: string): Operation {
  const advice = "Check the server's state before sending it again.";
  return (
    OPERATIONS[`${method} ${path}`] ?? {
      label: `${method} ${path}`,
      unknown: advice,
      unreadable: advice,
      unchanged: "Nothing was changed.",
    }
  );
}

// ---------------------------------------------------------------------------------------------------------
// Redaction. Servers and proxies can echo the Authorization header back (in a body, a request id, a
// Location, a transport error). Everything from outside that an error keeps goes through `scrub`: the exact
// credentials this client was given or sent (whatever their shape), in any case, URL-encoded or glued to
// other text, in strings and object keys, at any depth; plus key and secret shapes (`hk-...`, `whsec_...`)
// for credentials the client never saw. Foreign errors keep only their name, code, message and cause:
// their other fields (undici's parser keeps the unparsed bytes in `data`) are server bytes and are dropped.

const REDACTED = "[redacted]";
/** Deeper than this, a value is replaced as a whole rather than walked. */
const MAX_DEPTH = 16;

// Each character may also arrive percent-encoded (`hk%2D...`); the `i` flag covers case.
const encodedLiteral = (text: string) =>
  [...text]
    .map(
      (char) =>
        `(?:${char.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")}|%${char.charCodeAt(0).toString(16).padStart(2, "0")})`,
    )
    .join("");
// A real key or secret runs on for dozens of characters; eight keeps our own "hk-..." hints readable.
const SHAPES = `(?:${encodedLiteral("hk-")}|${encodedLiteral("whsec_")})(?:[A-Za-z0-9+/=_.~-]|%[0-9A-Fa-f]{2}){8,}`;

/** The credentials a client knows it was given or sent. */
export type KnownSecrets = readonly string[];

function patternFor(known: KnownSecrets = []): RegExp {
  // Shorter than four characters, an exact match would redact ordinary words.
  const exact = known.filter((secret) => secret.length >= 4).map(encodedLiteral);
  return new RegExp([...exact, SHAPES].join("|"), "gi");
}

function scrub(value: unknown, pattern: RegExp, depth = 0): unknown {
  if (typeof value === "string") return value.replace(pattern, REDACTED);
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return `[redacted: nested deeper than ${MAX_DEPTH} levels]`;
  if (value instanceof Error) {
    if (isHaiAgentsError(value)) return value; // scrubbed when it was built
    // A stand-in with the same kind, name, code and message, and its cause scrubbed the same way.
    const copy = new (
      value instanceof TypeError ? TypeError : value instanceof RangeError ? RangeError : Error
    )(
      String(value.message).replace(pattern, REDACTED),
      value.cause === undefined ? undefined : { cause: scrub(value.cause, pattern, depth + 1) },
    );
    copy.name = String(value.name).replace(pattern, REDACTED);
    copy.stack = `${copy.name}: ${copy.message}`;
    const { code } = value as { code?: unknown };
    if (typeof code === "string") Object.assign(copy, { code });
    return copy;
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, pattern, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  // Class instances (sockets, headers, buffers) are not walked: their insides are not ours to show.
  if (prototype !== Object.prototype && prototype !== null)
    return `[${prototype?.constructor?.name ?? "object"}]`;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key.replace(pattern, REDACTED)] = scrub(item, pattern, depth + 1);
  }
  return copy;
}

/** `text` with every credential this client knows, and every credential shape, replaced. */
function redact(text: string, known?: KnownSecrets): string {
  return text.replace(patternFor(known), REDACTED);
}

// ---------------------------------------------------------------------------------------------------------
// Describing an error body in one line.

const MAX_DETAIL_LENGTH = 300;

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_DETAIL_LENGTH)}…` : oneLine;
}

/** The entries of a 422 body (`{"detail": [...]}`) that have the documented shape. */
function validationIssues(body: unknown): ValidationIssue[] {
  const detail = (body as { detail?: unknown } | null)?.detail;
  return Array.isArray(detail)
    ? detail.filter(
        (entry) =>
          Array.isArray(entry?.loc) && typeof entry.msg === "string" && typeof entry.type === "string",
      )
    : [];
}

/**
 * One line describing an (already scrubbed) error body: the API's `{detail}` string or 422 list, the
 * gateway's `{message}`, or plain text such as a proxy's HTML page. "" when there is nothing useful.
 */
function describeErrorBody(body: unknown): string {
  if (typeof body === "string") return clip(body);
  const issues = validationIssues(body);
  if (issues.length > 0)
    return clip(issues.map((issue) => `${issue.loc.join(".")}: ${issue.msg}`).join("; "));
  const { detail, message } = (body ?? {}) as Record<string, unknown>;
  for (const value of [detail, message]) {
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
  /** Exact credentials the client was given or sent, so that an echo of them is redacted too. */
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
  /** Parsed body of a refused call (or its text when it was not JSON), credentials redacted. */
  readonly body: unknown;

  constructor(message: string, init: BaseInit) {
    const pattern = patternFor(init.known);
    super(
      message.replace(pattern, REDACTED),
      init.cause === undefined ? undefined : { cause: scrub(init.cause, pattern) },
    );
    this.outcome = init.outcome;
    this.statusCode = init.statusCode;
    this.body = scrub(init.body, pattern);
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

/**
 * A client option, environment variable, per-call option or token is missing or cannot be sent (`setting`
 * says which). Nothing was sent.
 */
export class HaiAgentsConfigurationError extends HaiAgentsError {
  override name = "HaiAgentsConfigurationError";
  /** Which setting is wrong. */
  readonly setting: "apiKey" | "baseUrl" | "timeoutInSeconds" | "headers";
  constructor(
    setting: HaiAgentsConfigurationError["setting"],
    message: string,
    cause?: unknown,
    known?: KnownSecrets,
  ) {
    super(`${message} Nothing was sent.`, { outcome: "not_sent", cause, known });
    this.setting = setting;
  }
}

/** The webhook id is not a hyphenated UUID. Raised before any request is sent. */
export class InvalidWebhookIdError extends HaiAgentsError {
  override name = "InvalidWebhookIdError";
  constructor(value: unknown, known: KnownSecrets = []) {
    // Echo a rejected id only when that is safe and useful: never a credential pasted into the wrong
    // argument, never a wall of text.
    const described =
      typeof value !== "string"
        ? `a value of type ${value === null ? "null" : typeof value}`
        : value === ""
          ? "an empty string"
          : redact(value, known) !== value
            ? `a string of ${value.length} characters that looks like a credential`
            : value.length > 64 || /[^\x20-\x7e]/.test(value)
              ? `a string of ${value.length} characters`
              : JSON.stringify(value);
    super(
      `webhookId must be the webhook's UUID, like "f47ac10b-58cc-4372-a567-0e02b2c3d479", but got ${described}. ` +
        "No request was sent. Use the `id` returned when the webhook was created or listed.",
      { outcome: "not_sent", known },
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
    const origin = init.locationOrigin && redact(init.locationOrigin, init.known);
    super(
      `${init.operation} was answered with ${init.status ? `HTTP ${init.status}` : "a redirect (status hidden by the browser)"}${origin ? ` to ${origin}` : ""}. ` +
        "It was not followed: the request and its key were sent once, to the configured origin only, and " +
        "nothing was changed there. Point the base URL at the API's own origin (a proxy or an old hostname " +
        "may be redirecting).",
      { outcome: "rejected", statusCode: init.status || undefined, known: init.known },
    );
    this.status = init.status;
    this.locationOrigin = origin;
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
 * The connection failed. `outcome` is `not_sent` when no request could have left (connection refused,
 * unknown host, TLS handshake or certificate refused), `unknown` when it broke after the request may have
 * left (reset before the status line, or an answer that is not HTTP).
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
    // The innermost reason with a code says most: "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1".
    let reason = "";
    for (
      let error = init.cause, depth = 0;
      error instanceof Error && depth < 4;
      error = error.cause, depth++
    ) {
      const { code } = error as { code?: unknown };
      reason = ` (${typeof code === "string" ? `${code}: ` : ""}${error.message.trim()})`;
    }
    super(
      `${init.operation} ${
        init.outcome === "not_sent"
          ? `could not connect to ${init.origin}${reason}, so nothing was sent. Check the base URL, the ` +
            "network and any proxy between (a TLS-intercepting proxy breaks the certificate check), then try again."
          : `lost the connection to ${init.origin}${reason}. ${init.advice}`
      }`,
      { outcome: init.outcome, cause: init.cause, known: init.known },
    );
  }
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

/** @internal The error for a 2xx whose body cannot be used: for rotate, the secret is lost. */
export function unreadable(operation: Operation, statusCode: number, problem: string, cause?: unknown) {
  return operation.returnsSecret
    ? new SecretNotReceivedError(operation.label, statusCode, problem, cause)
    : new UnexpectedResponseError(
        `${operation.label} answered HTTP ${statusCode} but ${problem}. ${operation.unreadable}`,
        statusCode,
        "unknown",
        cause,
      );
}

/** @internal What a refused call carries into its error. */
export interface ApiErrorInit {
  statusCode: number;
  body: unknown;
  operation: Operation;
  /** Value of the response's `X-Request-Id` header, if any: quote it to support. */
  requestId?: string | null | undefined;
  /** Said after the summary when the body could not be read. */
  bodyProblem?: string | undefined;
  webhookId?: string | undefined;
  known?: KnownSecrets | undefined;
}

/**
 * The API answered with a status this package has no dedicated class for (e.g. 429, 500), or one outside
 * HTTP's range (600-999, outcome `unknown`).
 */
export class HaiAgentsApiError extends HaiAgentsError {
  override name = "HaiAgentsApiError";
  declare readonly statusCode: number;
  /** The response's request id (credentials redacted, at most 200 characters): quote it to support. */
  readonly requestId: string | undefined;

  constructor(init: ApiErrorInit, summary?: string, hint?: string, outcome?: CallOutcome) {
    const { operation, statusCode, known } = init;
    const body = scrub(init.body, patternFor(known));
    const requestId = init.requestId ? redact(init.requestId, known).slice(0, 200) : undefined;
    const detail = describeErrorBody(body);
    const failed = statusCode >= 500;
    const parts = [
      summary ??
        (statusCode > 599
          ? `${operation.label} was answered with status ${statusCode}, which HTTP does not define (a broken server or proxy).`
          : `${operation.label} failed with HTTP ${statusCode}.`),
      detail && `Server said: "${detail}".`,
      init.bodyProblem && `(The body could not be read: ${init.bodyProblem}.)`,
      hint ?? (failed ? operation.unknown : operation.unchanged),
      requestId && `Request id: ${requestId}.`,
    ];
    super(parts.filter(Boolean).join(" "), {
      outcome: outcome ?? (failed ? "unknown" : "rejected"),
      statusCode,
      body,
      known,
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
      `${init.operation.label} was refused (HTTP 400). ${init.operation.unchanged}`,
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
      `${init.operation.label} was rejected: the API key is missing or not valid (HTTP 401). ${init.operation.unchanged}`,
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
        ? `Webhook ${init.webhookId} was not found, or this API key has no access to it (HTTP 404). ${init.operation.unchanged}`
        : `${init.operation.label} found nothing at that path (HTTP 404).`,
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
    super(init, `${init.operation.label} was refused as invalid (HTTP 422). ${init.operation.unchanged}`, "");
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
      init,
      `${init.operation.label}: the platform could not reach the receiver at the webhook's URL (HTTP 502).`,
      "Check that the receiver is running and reachable from the internet over https, then ping again.",
      "rejected",
    );
  }
}

/** @internal Builds the most specific error class for a refused or failed response. */
export function apiErrorFor(init: ApiErrorInit): HaiAgentsApiError {
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
      if (init.operation.ping) return new ReceiverUnreachableError(init);
  }
  return new HaiAgentsApiError(init);
}
