// The one path every request takes, for the raw typed client (openapi-fetch over the generated `paths`)
// and the SDK-shaped facade (src/facade.ts) alike. Read top to bottom: the configuration, checked once per
// client; the checks of one call, before anything is sent; `exchange`, which builds the request, sends it
// once, reads a bounded body and maps whatever happened to an outcome; and the raw client on top of it.
import createClient, { type Client } from "openapi-fetch";
import type { paths } from "../generated/api.js";
import {
  apiErrorFor,
  HaiAgentsApiError,
  HaiAgentsConfigurationError,
  HaiAgentsNetworkError,
  HaiAgentsRedirectError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  isHaiAgentsError,
  type Operation,
  operationOf,
  unreadable,
} from "./errors.js";
import { isWebhookId } from "./uuid.js";

/**
 * The API's regional hosts, as listed under `servers` in the spec (a unit test keeps the two in step).
 * Paths already carry the `/api/v2` prefix, so these are bare origins.
 */
export const HaiAgentsEnvironment = {
  /** Europe, the default region. */
  Eu: "https://agp.eu.hcompany.ai",
  /** United States. */
  Us: "https://agp.hcompany.ai",
} as const;

export type HaiAgentsEnvironment = (typeof HaiAgentsEnvironment)[keyof typeof HaiAgentsEnvironment];

/** Environment variable holding the API key, as in the official SDKs. */
export const API_KEY_ENV = "HAI_API_KEY";
/** Name used by older official SDK releases; read only when {@link API_KEY_ENV} is unset. */
const LEGACY_API_KEY_ENV = "H_API_KEY";
/** Environment variable that overrides the base URL (point it at the mock server, for instance). */
export const BASE_URL_ENV = "HAI_BASE_URL";

/** A response body is read up to this many bytes (a rotate answer is under 1 KiB); past it, reading stops. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** The longest delay `setTimeout` can hold (2^31 − 1 ms); anything longer would fire at once. */
const MAX_SECONDS = 2147483.647;

/** Where a bearer token comes from: a fixed key, or a function for keys that rotate or load lazily. */
export type ApiKeySource = string | (() => string | Promise<string>);

export type FetchLike = (request: Request) => Promise<Response>;

export interface RotateClientOptions {
  /** Origin of the API. Default: `HAI_BASE_URL` if set, else the Europe region. */
  baseUrl?: string;
  /** Bearer token. When omitted no Authorization header is added (useful to exercise a 401). */
  apiKey?: ApiKeySource;
  /** Transport. Default: the global `fetch`, looked up at call time so later interceptors still apply. */
  fetch?: FetchLike;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Give up waiting for a response (status line and body) after this many seconds (default 60). */
  timeoutInSeconds?: number;
  /** Accept an `http:` base URL for a host that is not loopback (the key then travels in clear text). */
  allowInsecureHttp?: boolean;
  /**
   * Refuse a `webhook_id` that is not a hyphenated UUID before sending anything (default `true`).
   * Turn off only to send invalid ids on purpose, e.g. to test the API's own 422.
   */
  validateWebhookId?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Configuration, checked once per client: nothing here is ever sent unchecked.

/** @internal A client's settings, checked. */
export interface Config {
  origin: string;
  timeoutInSeconds: number;
  apiKey: ApiKeySource | undefined;
  /** `Bearer <key>` for a fixed key. */
  authorization: string | undefined;
  headers: Record<string, string> | undefined;
  validateWebhookId: boolean;
  transport: FetchLike | undefined;
  /** Every credential this client was given or has sent, so that an echo of it is redacted from errors. */
  known: string[];
}

type Environment = Readonly<Record<string, string | undefined>>;

function processEnv(): Environment {
  // `process` does not exist in browsers; there the key must come from the options.
  return (globalThis as { process?: { env?: Environment } }).process?.env ?? {};
}

/**
 * @internal The API key from the environment, and where it came from. Its absence is said in words that
 * fit a program and a shell alike.
 */
export function apiKeyFromEnvironment(env: Environment = processEnv()): [key: string, source: string] {
  for (const name of [API_KEY_ENV, LEGACY_API_KEY_ENV]) {
    const key = env[name];
    if (key) return [key, name];
  }
  throw new HaiAgentsConfigurationError(
    "apiKey",
    `No API key found. Set the ${API_KEY_ENV} environment variable to your platform API key (it starts ` +
      "with hk-); a program can pass it as the client's `token` option instead.",
  );
}

/** @internal Checks options once; `keySource` names where the key came from, for messages. */
export function configure(options: RotateClientOptions, keySource = "the `apiKey` option"): Config {
  const known: string[] = [];
  const { apiKey } = options;
  if (typeof apiKey === "string") known.push(checkKey(apiKey, keySource));
  checkHeaders(options.headers, known, "the `headers` option");
  return {
    origin: resolveBaseUrl(options.baseUrl, options.allowInsecureHttp),
    timeoutInSeconds: checkSeconds(options.timeoutInSeconds ?? 60, "The client's"),
    apiKey,
    authorization: typeof apiKey === "string" ? `Bearer ${apiKey}` : undefined,
    headers: options.headers,
    validateWebhookId: options.validateWebhookId !== false,
    transport: options.fetch,
    known,
  };
}

/** The one key check: a key goes into a header, so it must be visible ASCII, with no space anywhere. */
function checkKey(key: unknown, source: string): string {
  if (typeof key === "string" && /^[\x21-\x7e]+$/.test(key)) return key;
  throw new HaiAgentsConfigurationError(
    "apiKey",
    `The API key from ${source} ${
      typeof key !== "string"
        ? `is a ${typeof key}, not a string.`
        : key === ""
          ? "is empty."
          : "contains whitespace, a control character or a character outside ASCII (often a trailing " +
            "newline from a .env file, or an invisible zero-width space pasted with it). Remove it and try again."
    }`,
  );
}

// A header name is an HTTP token; a value may hold any Latin-1 text but control characters (tab aside).
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// (The same rule as a reason phrase's.)
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Refuses headers that fetch would refuse with a TypeError quoting them (after the key itself, the likeliest
 * place for a pasted credential), and remembers the values of credential-like headers for redaction.
 */
function checkHeaders(headers: unknown, known: string[], where: string): void {
  if (headers === undefined || headers === null || headers instanceof Headers) return; // Headers are checked
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries as [unknown, unknown][]) {
    for (const item of [value].flat()) {
      if (item === undefined || item === null) continue;
      const text = String(item);
      if (typeof name !== "string" || !HEADER_NAME.test(name)) {
        throw new HaiAgentsConfigurationError(
          "headers",
          `A header name in ${where} is not a valid HTTP token.`,
        );
      }
      if (/auth|key|token|secret|cookie|session|signature/i.test(name))
        remember(known, text, text.split(" ")[1]);
      if (!HEADER_VALUE.test(text)) {
        throw new HaiAgentsConfigurationError(
          "headers",
          `The value of the ${JSON.stringify(name.slice(0, 40))} header in ${where} cannot be sent: it holds ` +
            "a line break, a control character or a character outside Latin-1 (such as an invisible " +
            "zero-width space). Remove it and try again.",
          undefined,
          known,
        );
      }
    }
  }
}

function remember(known: string[], ...credentials: (string | undefined)[]): void {
  for (const credential of credentials) {
    if (credential && !known.includes(credential)) known.push(credential);
  }
  // A token function may hand out a new key per call: keep the latest few, not every key ever sent.
  known.splice(0, Math.max(0, known.length - 16));
}

/** The one check of a number of seconds: finite, above 0, and within what a timer can hold. */
function checkSeconds(seconds: unknown, whose: string): number {
  // NaN fails both comparisons; a string, or Infinity, fails one.
  if (typeof seconds === "number" && seconds > 0 && seconds <= MAX_SECONDS) return seconds;
  throw new HaiAgentsConfigurationError(
    "timeoutInSeconds",
    `${whose} timeoutInSeconds must be a number of seconds above 0 and at most ${MAX_SECONDS} (the longest ` +
      "delay a timer can hold).",
  );
}

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(hostname);

/** The base URL from the options or `HAI_BASE_URL`, refused unless a keyed request can only go there. */
function resolveBaseUrl(explicit: string | undefined, allowInsecureHttp = false): string {
  const raw = explicit ?? (processEnv()[BASE_URL_ENV] || HaiAgentsEnvironment.Eu);
  const refuse = (problem: string) =>
    new HaiAgentsConfigurationError(
      "baseUrl",
      `The base URL from ${explicit !== undefined ? "the `baseUrl`/`environment` option" : BASE_URL_ENV} ${problem}`,
    );
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(
      `is not an absolute URL. Use an origin such as ${HaiAgentsEnvironment.Eu} or http://127.0.0.1:4010 for the mock server.`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw refuse("must use https (or http for a local server).");
  // `new URL` drops an empty query or fragment, but "https://host/#" would still send requests to "/".
  if (/[?#]/.test(raw)) throw refuse("must not contain a query (?) or a fragment (#). Use the origin only.");
  if (url.username || url.password || /^[a-z]+:\/\/[^/]*@/i.test(raw)) {
    throw refuse("must not contain credentials; pass the API key as `token` instead.");
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname) && !allowInsecureHttp) {
    throw refuse(
      "uses plain http for a host that is not loopback, which would send the API key in clear text. Use " +
        "https, or set `allowInsecureHttp: true` if the network in between is yours.",
    );
  }
  // Paths in the spec start with /api/v2, so a base URL that repeats it would double the prefix.
  if (/\/api\/v2\/?$/.test(url.pathname)) {
    throw refuse("ends with /api/v2, which every path already starts with. Use the origin only.");
  }
  return url.href.replace(/\/+$/, "");
}

// ---------------------------------------------------------------------------------------------------------
// One call: checked before anything is sent, then exchanged once.

/** @internal One call, checked. */
export interface Call {
  operation: Operation;
  timeoutInSeconds: number;
  webhookId: string | undefined;
  /** The caller's own signal: its abort reason is rethrown as is. */
  caller: AbortSignal | undefined;
}

/** @internal What a call may carry that must be checked before it is sent (the raw client's init, loosely). */
export interface CallInit {
  params?: { path?: Record<string, unknown>; header?: unknown } | undefined;
  headers?: unknown;
  timeoutInSeconds?: unknown;
  signal?: AbortSignal | null | undefined;
}

/** @internal Everything about one call that can be refused before sending: timeout, id, headers, abort. */
export function checkCall(config: Config, method: string, path: string, init: CallInit): Call {
  const timeoutInSeconds =
    init.timeoutInSeconds === undefined
      ? config.timeoutInSeconds
      : checkSeconds(init.timeoutInSeconds, "This call's");
  const pathParams = init.params?.path;
  const webhookId = pathParams?.webhook_id;
  if (config.validateWebhookId && pathParams && "webhook_id" in pathParams && !isWebhookId(webhookId)) {
    throw new InvalidWebhookIdError(webhookId, config.known);
  }
  checkHeaders(init.headers, config.known, "this call's headers");
  checkHeaders(init.params?.header, config.known, "this call's header parameters");
  const caller = init.signal ?? undefined;
  if (caller?.aborted) throw caller.reason;
  return {
    operation: operationOf(method, path),
    timeoutInSeconds,
    webhookId: typeof webhookId === "string" ? webhookId : undefined,
    caller,
  };
}

/** @internal A status in HTTP's range and not a redirect, with its whole body read and parsed. */
export interface Answer {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  /** 2xx: the parsed JSON (undefined for 204/205). Otherwise the parsed JSON, or the text if it is not JSON. */
  body: unknown;
}

/**
 * @internal The only place a request leaves: adds the key, sends `input` once (a URL the facade built, or
 * the Request openapi-fetch built for the raw client) under the timeout, reads its body up to
 * {@link MAX_RESPONSE_BYTES}, and turns every way this can fail into the error that says what happened on
 * the server. Refused statuses are answers, not errors.
 */
export async function exchange(
  config: Config,
  call: Call,
  input: string | Request,
  init: { method?: string; headers?: HeadersInit | undefined } = {},
): Promise<Answer> {
  const { operation, timeoutInSeconds: seconds, caller } = call;
  const controller = new AbortController();
  const forwardAbort = caller && (() => controller.abort(caller.reason));
  if (forwardAbort) caller.addEventListener("abort", forwardAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  let sent = false;
  let response: Response | undefined;
  try {
    const authorization = typeof config.apiKey === "function" ? await bearer(config) : config.authorization;
    if (caller?.aborted) throw caller.reason;
    const headers = new Headers(init.headers ?? (input as Request).headers);
    if (authorization && !headers.has("authorization")) headers.set("authorization", authorization);
    const requestInit = { ...init, headers, signal: controller.signal, redirect: "manual" as const };
    // The timer runs from here: a slow token function is not a request that may have left. A plain timer
    // rather than AbortSignal.timeout(): the latter holds its signal weakly, so a request that nothing else
    // references (a stalled custom transport) could be garbage-collected and never time out.
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`No response within ${seconds} s`, "TimeoutError"));
    }, seconds * 1000);
    sent = true;
    // The global fetch is looked up now, so an interceptor installed after the client was made still applies.
    response = await (config.transport
      ? config.transport(new Request(input, requestInit))
      : fetch(input, requestInit));
    const { status } = response;
    if (response.type === "opaqueredirect" || (status >= 300 && status < 400)) {
      void response.body?.cancel().catch(() => undefined);
      throw new HaiAgentsRedirectError({
        operation: operation.label,
        status,
        locationOrigin: originOf(response.headers.get("location"), config.origin),
        known: config.known,
      });
    }
    if (status < 200 || status > 599) {
      // A custom transport or a broken server can produce one; `new Response` cannot hold it.
      void response.body?.cancel().catch(() => undefined);
      throw apiError(config, call, response, undefined, undefined, "unknown");
    }
    const text = await readBounded(response);
    if (text === undefined) {
      throw bodyError(
        config,
        call,
        response,
        `its body is larger than ${MAX_RESPONSE_BYTES} bytes (1 MiB) and was not read`,
      );
    }
    let body: unknown = text;
    if (response.ok) {
      if (status === 204 || status === 205) body = undefined;
      else if (text === "") throw unreadable(operation, status, "its body is empty");
      else {
        try {
          body = JSON.parse(text);
        } catch {
          // The parser's message quotes the body, which may hold the secret: it is not kept.
          throw unreadable(operation, status, "its body is not JSON");
        }
      }
    } else {
      try {
        body = JSON.parse(text);
      } catch {
        // plain text, such as a proxy's HTML page
      }
    }
    return { status, statusText: response.statusText, headers: response.headers, text, body };
  } catch (error) {
    if (isHaiAgentsError(error)) throw error;
    if (caller?.aborted) throw caller.reason;
    if (!sent) {
      throw new HaiAgentsConfigurationError(
        "headers",
        "The request could not be built.",
        error,
        config.known,
      );
    }
    if (response) {
      throw bodyError(
        config,
        call,
        response,
        timedOut
          ? `its body stalled: it did not finish within ${seconds} s`
          : "its body was cut off before the end",
        error,
      );
    }
    if (timedOut) {
      throw new HaiAgentsTimeoutError({
        operation: operation.label,
        timeoutInSeconds: seconds,
        advice: operation.unknown,
        cause: error,
        known: config.known,
      });
    }
    throw new HaiAgentsNetworkError({
      operation: operation.label,
      origin: config.origin,
      outcome: neverSent(error) ? "not_sent" : "unknown",
      advice: operation.unknown,
      cause: error,
      known: config.known,
    });
  } finally {
    clearTimeout(timer);
    if (forwardAbort) caller.removeEventListener("abort", forwardAbort);
  }
}

/** The Authorization header's value from the token function, called for this request. */
async function bearer(config: Config): Promise<string> {
  let key: unknown;
  try {
    key = await (config.apiKey as () => string | Promise<string>)();
  } catch (error) {
    throw new HaiAgentsConfigurationError("apiKey", "The `token` function failed.", error, config.known);
  }
  remember(config.known, checkKey(key, "the `token` function"));
  return `Bearer ${key}`;
}

/** The body as text, read up to {@link MAX_RESPONSE_BYTES}; undefined when it is larger. */
async function readBounded(response: Response): Promise<string | undefined> {
  const length = response.headers.get("content-length");
  if (Number(length) > MAX_RESPONSE_BYTES) {
    void response.body?.cancel().catch(() => undefined);
    return undefined;
  }
  // fetch delivers exactly the declared length of an uncompressed body, so it is already bounded.
  if (length !== null && !response.headers.has("content-encoding")) return response.text();
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: BlobPart[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return new Blob(chunks).text();
    total += value.byteLength;
    if (total > MAX_RESPONSE_BYTES) {
      void reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
}

// Codes of a connection that never carried the request: refused, no such host, or a TLS handshake or
// certificate check that failed (a request is only written once the handshake has succeeded).
const NOT_CONNECTED =
  /^(?:ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_SSL_.*|ERR_TLS_.*|CERT_.*|UNABLE_TO_.*|.*SELF_SIGNED.*|HOSTNAME_MISMATCH)$/;

function neverSent(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 4;
    current = current.cause, depth++
  ) {
    const { code } = current as { code?: unknown };
    if (typeof code !== "string") continue;
    // Node names a handshake cut short only in the message.
    return (
      NOT_CONNECTED.test(code) ||
      (code === "ECONNRESET" && /before secure TLS connection/.test(current.message))
    );
  }
  return false;
}

function originOf(location: string | null, base: string): string | undefined {
  try {
    return location ? new URL(location, base).origin : undefined;
  } catch {
    return undefined;
  }
}

/** @internal The error of a refused (or failed) answer, by status. */
export function apiError(
  config: Config,
  call: Call,
  answer: Pick<Answer, "status" | "headers">,
  body?: unknown,
  bodyProblem?: string,
  outcome?: "unknown",
): HaiAgentsApiError {
  const init = {
    statusCode: answer.status,
    body,
    operation: call.operation,
    requestId: answer.headers.get("x-request-id"),
    bodyProblem,
    webhookId: call.webhookId,
    known: config.known,
  };
  return outcome ? new HaiAgentsApiError(init, undefined, undefined, outcome) : apiErrorFor(init);
}

/** A body that could not be read: the status it came with decides what that means. */
function bodyError(config: Config, call: Call, response: Response, problem: string, cause?: unknown) {
  return response.ok
    ? unreadable(call.operation, response.status, problem, cause)
    : apiError(config, call, response, undefined, problem);
}

// ---------------------------------------------------------------------------------------------------------
// The raw client: openapi-fetch, typed by the spec, with `exchange` as its transport. A refused status is
// a value (`{ error, response }`), as openapi-fetch gives it; everything else throws as in the facade.

/** openapi-fetch client typed by the spec. */
export type RotateClient = Client<paths>;

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;

/**
 * Creates the raw typed client. Calls look like
 * `client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id } } })` and return
 * `{ data, error, response }` for every status the API answers with a readable body. It throws (a
 * {@link HaiAgentsError} with an `outcome`) for what is not such an answer: an invalid id, key, header or
 * timeout, a redirect (never followed), a timeout, a network or TLS failure, a body over 1 MiB, cut or
 * unparsable, a status outside HTTP's range.
 *
 * Requests are never retried. That matters for rotate, which is not idempotent: a retry after a lost
 * response would rotate a second time and the first new secret would be gone for good.
 *
 * The key is added by the transport, after your middleware ran: middleware never sees it.
 */
export function createRotateClient(options: RotateClientOptions = {}): RotateClient {
  const config = configure(options);
  const client = createClient<paths>({ baseUrl: config.origin, headers: config.headers, redirect: "manual" });
  const call = async (method: string, path: string, init: CallInit = {}) => {
    const checked = checkCall(config, method.toUpperCase(), path, init);
    const send = async (request: Request) => {
      // Only the caller's own middleware could have pointed the request elsewhere.
      if (!request.url.startsWith(`${config.origin}/`)) {
        throw new HaiAgentsConfigurationError(
          "baseUrl",
          `A middleware changed the request's URL. Requests go only to ${config.origin}: remove that middleware.`,
        );
      }
      return toResponse(await exchange(config, checked, request));
    };
    return client.request(method as "get", path as never, { ...init, fetch: send } as never);
  };
  const raw: Record<string, unknown> = { ...client, request: call };
  for (const method of METHODS) raw[method] = (path: string, init?: CallInit) => call(method, path, init);
  return raw as unknown as RotateClient;
}

// openapi-fetch needs a Response. A server may send a header name or a reason phrase that fetch accepted but
// `new Response` refuses with a TypeError: then the answer is rebuilt without them, so it still arrives as a
// value carrying its status.
function toResponse({ status, statusText, headers, text }: Answer): Response {
  const body = status === 204 || status === 205 ? null : text;
  try {
    return new Response(body, { status, statusText, headers });
  } catch {
    const kept = new Headers();
    for (const [name, value] of headers) if (HEADER_NAME.test(name)) kept.append(name, value);
    return new Response(body, {
      status,
      statusText: HEADER_VALUE.test(statusText) ? statusText : "",
      headers: kept,
    });
  }
}
