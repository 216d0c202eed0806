// A whole webhook receiver in one call: the HTTP glue every receiver otherwise rewrites. It reads the raw body
// (never parsed JSON), the signing headers, the secrets trusted right now, verifies, skips duplicates, calls the
// receiver's code, and answers with the status the platform acts on: a 4xx for a delivery refused (the platform
// retries, e.g. with the new secret after a rotation), a 5xx for a fault of the receiver (it retries too). Every
// answer carries a short reason and never names a secret. One implementation for every runtime: no `node:*`
// import; each entry binds it to its own `verifyWebhookAsync` (node:crypto or Web Crypto).
import { concatBytes, readBoundedStream } from "../bounded-body.js";
import { isWebhookVerificationError, type WebhookVerificationErrorReason } from "./errors.js";
import { readWebhookHeaders, type WebhookHeaderSource } from "./headers.js";
import type {
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookBody,
  WebhookSecret,
  WebhookSecrets,
} from "./verify.js";

/**
 * The runtime's fetch `Request` and `Response` (from the DOM lib or @types/node), named through `globalThis` so
 * that these declarations compile in a project that has neither (where there is no `Request` to pass anyway).
 */
type FetchRequest = typeof globalThis extends { Request: { prototype: infer T } } ? T : never;
type FetchResponse = typeof globalThis extends { Response: { prototype: infer T } } ? T : never;

/** Where the trusted secrets come from: a list, or a function (sync or async) called for every delivery. */
export type WebhookSecretsSource =
  | WebhookSecrets
  | (() => WebhookSecret | readonly WebhookSecret[] | PromiseLike<WebhookSecrets>);

/**
 * Remembers which events were handled, for duplicate suppression by event `id`. A `Set<string>` fits (unbounded);
 * {@link createSeenEventStore} is bounded; a shared store (Redis, a KV namespace) fits behind the same two calls.
 */
export interface SeenEventStore {
  /** Whether an event with this id was already handled. */
  has(id: string): boolean | PromiseLike<boolean>;
  /** Records an event as handled; called only once `onEvent` has succeeded, so a failed one is retried. */
  add(id: string): unknown;
}

/** What the handler answered when it did not accept a delivery, for the receiver's own logs. */
export interface WebhookRefusal {
  status: number;
  /** The reason in the answer's body: a verification reason, or one of the handler's own (`body_too_large`...). */
  reason: string;
  /** What happened, for a human: the verification error's message may name a secret by position, never by value. */
  message: string;
  /** The error behind it, when there is one (a verification error, or what `onEvent` threw). */
  error?: unknown;
}

export interface WebhookHandlerOptions {
  /**
   * The secrets to trust: `["whsec_old", "whsec_new"]` during a rotation, `{ secret, notAfter }` entries to let
   * an old one retire itself, or a function returning them (sync or async), called for every delivery so that
   * a rotation is picked up without a restart.
   */
  secrets: WebhookSecretsSource;
  /**
   * The receiver's code, called once per verified delivery. Return nothing for a `200 {"received": id}`, or a
   * `Response` to answer with it. If it throws, the answer is a 500 and the platform retries.
   */
  onEvent: (webhook: VerifiedWebhook) => unknown;
  /** Duplicate suppression by event `id`: off unless given. A duplicate gets a 200 and `onEvent` is not called. */
  seen?: SeenEventStore;
  /** Largest body accepted, in bytes; larger gets a 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Passed to the verifier: the replay window in seconds (default 300). */
  toleranceSeconds?: number;
  /** Passed to the verifier: the clock in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
  /**
   * Called for every answer that is not a 2xx, with what happened. By default a 5xx is written to `console.error`
   * (the receiver's own fault, to fix) and a 4xx is not logged.
   */
  onRefused?: (refusal: WebhookRefusal) => void;
}

/** A fetch handler: a Worker's `fetch`, a `Deno.serve` or `Bun.serve` handler, a Hono or Next.js route. */
export type WebhookHandler = (request: FetchRequest) => Promise<FetchResponse>;

/** Node's `IncomingMessage` as the adapter reads it (Express's and Fastify's `req.raw` are one too). */
export interface NodeWebhookRequest {
  method?: string | undefined;
  headers: WebhookHeaderSource;
  /** Set by Express body parsers: bytes or text are used as the body; a parsed object is refused, with the fix. */
  body?: unknown;
  /** True once something else read the whole body. */
  readableEnded?: boolean;
  on(event: string, listener: (...values: never[]) => void): unknown;
  resume(): unknown;
}

/** Node's `ServerResponse` as the adapter writes it. */
export interface NodeWebhookResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body?: Uint8Array | string): unknown;
}

/** A Node `(req, res)` listener: for `http.createServer`, an Express route, or Fastify's `request.raw`/`reply.raw`. */
export type NodeWebhookHandler = (
  request: NodeWebhookRequest,
  response: NodeWebhookResponse,
) => Promise<void>;

// ---- Statuses and reasons
// ------------------------------------------------------------------------------------

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

// The short, fixed text of each answer: never the error's own message, which may name a secret's position.
const ANSWERS: Record<string, [status: number, text: string]> = {
  method_not_allowed: [405, "Webhook deliveries are POST requests."],
  body_too_large: [413, "The body is larger than this receiver accepts."],
  body_unreadable: [400, "The request body could not be read to its end."],
  missing_signature: [401, "The X-H-Webhook-Signature header is missing."],
  missing_timestamp: [401, "The X-H-Webhook-Timestamp header is missing."],
  duplicate_header: [401, "A signing header was sent twice with different values."],
  invalid_timestamp: [401, "The X-H-Webhook-Timestamp header is not Unix seconds."],
  timestamp_out_of_tolerance: [401, "The delivery's timestamp is outside the accepted window."],
  malformed_signature: [401, 'The X-H-Webhook-Signature header is not "sha256=" and 64 hex digits.'],
  signature_mismatch: [401, "No trusted secret signed this body and timestamp."],
  secret_expired: [401, "No trusted secret signed this body and timestamp."],
  invalid_payload: [400, "The signature is valid but the body is not an event envelope."],
  // Faults of the receiver: every delivery would fail alike until it is fixed, and the platform retries a 5xx.
  no_secret: [500, "The receiver has no signing secret configured."],
  invalid_secret: [500, "The receiver's signing secret configuration is invalid."],
  invalid_options: [500, "The receiver's verification options are invalid."],
  invalid_body: [500, "The receiver could not read the body as bytes."],
  invalid_headers: [500, "The receiver could not read the headers."],
  unsupported_runtime: [500, "This runtime cannot compute HMAC-SHA256."],
  secrets_unavailable: [500, "The receiver could not load its signing secrets."],
  body_already_parsed: [500, "Something parsed the body before the webhook handler: it cannot be verified."],
  seen_store_failed: [500, "The receiver's duplicate store failed."],
  event_handler_failed: [500, "The receiver failed to process the event."],
};

/** An answer, before it becomes a fetch `Response` or is written to Node's `res`. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(value),
});

/** A refusal answered and reported: `message` and `error` go to `onRefused` only, never into the answer. */
function refuse(options: WebhookHandlerOptions, reason: string, message: string, error?: unknown): Answer {
  const [status, text] = ANSWERS[reason] ?? [500, "The receiver failed."];
  const report = options.onRefused ?? defaultReport;
  try {
    report(error === undefined ? { status, reason, message } : { status, reason, message, error });
  } catch {
    // A failing logger must not change the answer.
  }
  return json(status, { error: reason, message: text }, status === 405 ? { Allow: "POST" } : {});
}

function defaultReport(refusal: WebhookRefusal): void {
  if (refusal.status >= 500)
    console.error(
      `webhook handler: ${refusal.status} ${refusal.reason}: ${refusal.message}`,
      refusal.error ?? "",
    );
}

// ---- The one pipeline
// -----------------------------------------------------------------------------------------

/** The body as read by an adapter: bytes or text, or why there is none. */
type ReadBody =
  | WebhookBody
  | { refused: "body_too_large" | "body_unreadable" | "body_already_parsed"; message: string };

type VerifyAsync = (
  body: WebhookBody,
  signature: string | null | undefined,
  timestamp: string | null | undefined,
  secrets: WebhookSecrets,
  options?: VerifyWebhookOptions,
) => Promise<VerifiedWebhook>;

/**
 * One delivery, from its method to the answer. `readBody` is the adapter's: it reads at most `limit` bytes.
 * Returns the `Response` `onEvent` returned, or an {@link Answer}.
 */
async function handle(
  verify: VerifyAsync,
  options: WebhookHandlerOptions,
  limit: number,
  method: string | undefined,
  headers: WebhookHeaderSource,
  readBody: (limit: number) => Promise<ReadBody>,
): Promise<Answer | FetchResponse> {
  if (method !== "POST")
    return refuse(options, "method_not_allowed", `A ${method} request is not a delivery.`);
  const body = await readBody(limit);
  if (typeof body === "object" && "refused" in body) return refuse(options, body.refused, body.message);
  let secrets: WebhookSecrets;
  try {
    secrets = typeof options.secrets === "function" ? await options.secrets() : options.secrets;
  } catch (error) {
    return refuse(options, "secrets_unavailable", "The secrets function threw (see the error).", error);
  }
  let webhook: VerifiedWebhook;
  try {
    const { signature, timestamp } = readWebhookHeaders(headers);
    const verifyOptions: VerifyWebhookOptions = {};
    if (options.toleranceSeconds !== undefined) verifyOptions.toleranceSeconds = options.toleranceSeconds;
    if (options.now !== undefined) verifyOptions.now = options.now;
    webhook = await verify(body, signature, timestamp, secrets, verifyOptions);
  } catch (error) {
    if (!isWebhookVerificationError(error)) throw error;
    return refuse(options, error.reason satisfies WebhookVerificationErrorReason, error.message, error);
  }
  const id = webhook.event.id;
  try {
    if (options.seen !== undefined && (await options.seen.has(id)))
      return json(200, { received: id, duplicate: true });
  } catch (error) {
    return refuse(options, "seen_store_failed", "The seen store's has() threw (see the error).", error);
  }
  let returned: unknown;
  try {
    returned = await options.onEvent(webhook);
  } catch (error) {
    return refuse(
      options,
      "event_handler_failed",
      `onEvent threw while handling ${webhook.event.type}.`,
      error,
    );
  }
  try {
    await options.seen?.add(id);
  } catch (error) {
    // The event was handled: answering 5xx would have it handled twice. Report it, and accept.
    refuse(
      options,
      "seen_store_failed",
      "The seen store's add() threw; the event was handled (see the error).",
      error,
    );
  }
  return isResponse(returned) ? returned : json(200, { received: id });
}

/** The answer, whatever went wrong on the way: a handler never rejects, it answers 500. */
async function settled(
  options: WebhookHandlerOptions,
  answer: () => Promise<Answer | FetchResponse>,
): Promise<Answer | FetchResponse> {
  try {
    return await answer();
  } catch (error) {
    return refuse(options, "event_handler_failed", "The webhook handler failed (see the error).", error);
  }
}

const isResponse = (value: unknown): value is FetchResponse =>
  typeof Response === "function" && value instanceof Response;

function checkedOptions(options: WebhookHandlerOptions): number {
  if (typeof options !== "object" || options === null)
    throw new TypeError("createWebhookHandler needs options: { secrets, onEvent }.");
  if (options.secrets === undefined)
    throw new TypeError(
      "createWebhookHandler: secrets is missing: pass the signing secret, [oldSecret, newSecret], or a function returning them.",
    );
  if (typeof options.onEvent !== "function")
    throw new TypeError(
      "createWebhookHandler: onEvent must be a function, called with each verified delivery.",
    );
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new TypeError(
      `createWebhookHandler: maxBodyBytes must be a whole number of bytes >= 0; got ${limit}.`,
    );
  return limit;
}

// ---- The fetch adapter
// ----------------------------------------------------------------------------------------

/** Reads a fetch body, refusing more than `limit` bytes without buffering more than that. */
async function readRequestBody(request: Request, limit: number): Promise<ReadBody> {
  const tooLarge = { refused: "body_too_large", message: `The body is over ${limit} bytes.` } as const;
  if (request.bodyUsed)
    return {
      refused: "body_already_parsed",
      message:
        "The request body was already read (request.json() or request.text() before the webhook handler?), so " +
        "the bytes that were signed are gone. Pass the Request untouched, or read a request.clone() instead.",
    };
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limit) return tooLarge;
  try {
    if (Number.isSafeInteger(declared)) {
      // The usual case: the length is known and allowed, so one read is both cheapest and bounded.
      const bytes = new Uint8Array(await request.arrayBuffer());
      return bytes.length > limit ? tooLarge : bytes;
    }
    return (await readBoundedStream(request.body, limit)) ?? tooLarge;
  } catch (error) {
    return { refused: "body_unreadable", message: `Reading the body failed: ${String(error)}` };
  }
}

const toResponse = (answer: Answer | FetchResponse): FetchResponse =>
  isResponse(answer)
    ? answer
    : (new Response(answer.body, { status: answer.status, headers: answer.headers }) as FetchResponse);

// ---- The Node adapter
// -----------------------------------------------------------------------------------------

// What to say when a body parser got there first: the body is gone, and what is left cannot be verified.
const ALREADY_PARSED =
  "A body parser read the request body before the webhook handler (req.body is already set and the stream is " +
  "consumed), so the exact bytes that were signed are gone. Mount the webhook route before express.json() " +
  "(or any global body parser), or give it the raw bytes: app.post(path, express.raw({ type: " +
  '"application/json" }), handler). With Fastify, register a content-type parser with parseAs: "buffer" for the route.';

/** Reads Node's request body (or the bytes a raw body parser left in `req.body`), at most `limit` bytes. */
function readNodeBody(request: NodeWebhookRequest, limit: number): Promise<ReadBody> {
  const parsed = request.body;
  if (typeof parsed === "string" || parsed instanceof Uint8Array) {
    const size = typeof parsed === "string" ? parsed.length : parsed.byteLength;
    return Promise.resolve(
      size > limit ? { refused: "body_too_large", message: `The body is over ${limit} bytes.` } : parsed,
    );
  }
  if (request.readableEnded === true) {
    const kind = Array.isArray(parsed) ? "array" : typeof parsed;
    const what = parsed === undefined ? "" : ` (req.body is a${/^[aeiou]/.test(kind) ? "n" : ""} ${kind})`;
    return Promise.resolve({ refused: "body_already_parsed", message: `${ALREADY_PARSED}${what}` });
  }
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let over = false;
    request.on("data", (chunk: never) => {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
      size += bytes.length;
      if (size > limit) over = true;
      if (!over) chunks.push(bytes);
    });
    request.on("end", () =>
      resolve(
        over
          ? { refused: "body_too_large", message: `The body is over ${limit} bytes.` }
          : concatBytes(chunks, size),
      ),
    );
    request.on("error", (error: never) =>
      resolve({ refused: "body_unreadable", message: `Reading the body failed: ${String(error)}` }),
    );
    request.resume();
  });
}

async function writeNode(response: NodeWebhookResponse, answer: Answer | FetchResponse): Promise<void> {
  if (!isResponse(answer)) {
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
    return;
  }
  const headers: Record<string, string> = {};
  (answer as Response).headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = new Uint8Array(await (answer as Response).arrayBuffer());
  response.writeHead(answer.status, headers);
  response.end(body);
}

// ---- Binding to a verifier
// ------------------------------------------------------------------------------------

/** Both handler factories, verifying with `verify`: each entry point binds its own `verifyWebhookAsync`. */
export function handlersFor(verify: VerifyAsync) {
  /**
   * A complete webhook receiver as a fetch handler, `(request: Request) => Promise<Response>`: a Worker's
   * `fetch`, a `Deno.serve` or `Bun.serve` handler, a Hono or Next.js route handler.
   *
   * | case | answer |
   * |---|---|
   * | a method other than POST | 405, with `Allow: POST` |
   * | a body over `maxBodyBytes` (1 MiB) | 413 |
   * | a missing, malformed, stale or forged signature, or one only an expired secret matches | 401 |
   * | an authentic body that is not an event envelope | 400 |
   * | the receiver's own fault (no secret, `secrets()` or `onEvent` threw) | 500, so the platform retries |
   * | a duplicate event id (with `seen`) | 200 `{"received": id, "duplicate": true}`, `onEvent` not called |
   * | otherwise | 200 `{"received": id}`, or the `Response` `onEvent` returned |
   *
   * Every refusal's body is `{"error": reason, "message": text}` with a fixed text that never names a secret.
   */
  function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
    const limit = checkedOptions(options);
    return async (request) => {
      const fetchRequest = request as unknown as Request;
      const answer = await settled(options, () =>
        handle(verify, options, limit, fetchRequest.method, fetchRequest.headers, (max) =>
          readRequestBody(fetchRequest, max),
        ),
      );
      return toResponse(answer);
    };
  }

  /**
   * The same receiver as a Node `(req, res)` listener: `http.createServer(handler)`, `app.post(path, handler)`
   * in Express, or `handler(request.raw, reply.raw)` in Fastify. It reads the raw body itself; when a body
   * parser consumed it first, it answers 500 and says how to fix the route (through `onRefused`, or
   * `console.error` by default). Same answers as {@link createWebhookHandler}; it never rejects.
   */
  function createNodeWebhookHandler(options: WebhookHandlerOptions): NodeWebhookHandler {
    const limit = checkedOptions(options);
    return async (request, response) => {
      const answer = await settled(options, () =>
        handle(verify, options, limit, request.method, request.headers, (max) => readNodeBody(request, max)),
      );
      await writeNode(response, answer);
    };
  }

  return { createWebhookHandler, createNodeWebhookHandler };
}

/**
 * A bounded in-memory {@link SeenEventStore}: the last `limit` event ids handled (default 10,000; the oldest is
 * forgotten first). Per process: behind several instances, use a shared store with the same two calls.
 */
export function createSeenEventStore(limit = 10_000): SeenEventStore {
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new TypeError(`createSeenEventStore: limit must be a whole number >= 1; got ${limit}.`);
  const ids = new Set<string>();
  return {
    has: (id) => ids.has(id),
    add: (id) => {
      ids.delete(id);
      ids.add(id);
      if (ids.size > limit) ids.delete(ids.values().next().value as string);
    },
  };
}
