// The raw typed client (openapi-fetch over the generated `paths`) and every rule a keyed request follows,
// for the raw client and the facade alike: configuration from options and the environment, the webhook
// id check, bearer auth, one attempt to one origin with no redirect followed, a timeout the timer can
// hold, a bounded response read, and errors that say what happened on the server (`outcome`).
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { paths } from "../generated/api.js";
import {
  apiErrorFor,
  HaiAgentsConfigurationError,
  HaiAgentsNetworkError,
  HaiAgentsRedirectError,
  HaiAgentsTimeoutError,
  InvalidWebhookIdError,
  isHaiAgentsError,
  SecretNotReceivedError,
  UnexpectedResponseError,
} from "./errors.js";
import { isWebhookId } from "./uuid.js";

// ---------------------------------------------------------------------------------------------------------
// Configuration

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
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const DEFAULT_TIMEOUT_SECONDS = 60;

type Environment = Readonly<Record<string, string | undefined>>;

function processEnv(): Environment {
  // `process` does not exist in browsers; there the key must come from the options.
  const maybeProcess = (globalThis as { process?: { env?: Environment } }).process;
  return maybeProcess?.env ?? {};
}

export function resolveApiKey(explicit: string | undefined, env: Environment = processEnv()): string {
  const key = explicit ?? (env[API_KEY_ENV] || env[LEGACY_API_KEY_ENV]);
  const source = explicit !== undefined ? "the `token` option" : API_KEY_ENV;
  if (key === undefined || key === "") {
    throw new HaiAgentsConfigurationError(
      "apiKey",
      `No API key found. Set the ${API_KEY_ENV} environment variable to your platform key (hk-...), ` +
        "or pass `{ token }` to the client.",
    );
  }
  if (/\s/.test(key)) {
    throw new HaiAgentsConfigurationError(
      "apiKey",
      `The API key from ${source} contains whitespace (often a trailing newline from a .env file or a ` +
        "secret manager). Remove it and try again.",
    );
  }
  return key;
}

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(hostname);

/** The base URL from the options or `HAI_BASE_URL`, refused unless a keyed request can only go there. */
function resolveBaseUrl(
  explicit: string | undefined,
  allowInsecureHttp = false,
  env: Environment = processEnv(),
): string {
  const raw = explicit ?? (env[BASE_URL_ENV] || HaiAgentsEnvironment.Eu);
  const source = explicit !== undefined ? "the `baseUrl`/`environment` option" : BASE_URL_ENV;
  const refuse = (problem: string) =>
    new HaiAgentsConfigurationError("baseUrl", `The base URL from ${source} ${problem}`);
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

/** A timeout in seconds as milliseconds, refused unless it is finite, positive and within the timer's range. */
function timeoutMilliseconds(seconds: unknown, where: string): number {
  const ms = typeof seconds === "number" ? seconds * 1000 : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new HaiAgentsConfigurationError(
      "timeoutInSeconds",
      `${where} timeoutInSeconds must be a number of seconds above 0 and at most ${MAX_TIMEOUT_MS / 1000} ` +
        "(the longest delay a timer can hold).",
    );
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------------------
// Webhook id and auth

/** Where a bearer token comes from: a fixed key, or a function for keys that rotate or load lazily. */
export type ApiKeySource = string | (() => string | Promise<string>);

// A header value cannot hold control characters or surrounding whitespace; fetch would throw a TypeError
// quoting it. Refuse it here, without echoing it.
function usableKey(key: unknown): string {
  if (typeof key === "string" && key !== "" && !/[\x00-\x1f\x7f]|^\s|\s$/.test(key)) return key;
  throw new HaiAgentsConfigurationError(
    "apiKey",
    typeof key === "string"
      ? "The API key is not usable as a header value (empty, or with whitespace or control characters)."
      : `The API key is a ${typeof key}, not a string.`,
  );
}

function authMiddleware(apiKey: ApiKeySource, remember: (key: string) => void): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has("Authorization")) return undefined;
      let key: unknown = apiKey;
      if (typeof apiKey === "function") {
        try {
          key = await apiKey();
        } catch (error) {
          throw new HaiAgentsConfigurationError("apiKey", "The `token` function failed.", error);
        }
      }
      remember(usableKey(key));
      request.headers.set("Authorization", `Bearer ${key}`);
      return request;
    },
  };
}

/**
 * openapi-fetch middleware that adds `Authorization: Bearer <key>` to every request that does not already
 * carry an Authorization header. A token function that fails, or returns something that cannot be a header
 * value, becomes a {@link HaiAgentsConfigurationError} (nothing sent). The key is never attached to errors.
 */
export function bearerAuth(apiKey: ApiKeySource): Middleware {
  return authMiddleware(apiKey, () => undefined);
}

// ---------------------------------------------------------------------------------------------------------
// One call: what each operation is called, and how a failure maps to an outcome.

interface Operation {
  /** Used at the start of messages: "Rotating the webhook secret answered HTTP 200 but ...". */
  label: string;
  /** Rotate: a 2xx whose body cannot be read means the secret is lost. */
  returnsSecret: boolean;
  ping: boolean;
  /** What a sent-but-unknown outcome means for this operation. */
  ifUnknown: string;
  /** Said when the API refused the call. */
  unchanged?: string;
}

const ROTATE_UNKNOWN =
  "The secret may or may not have been rotated, and the request was not retried: rotating is not " +
  "idempotent, so a second call would discard a new secret you never saw. Check whether deliveries still " +
  "verify with the secrets you hold (getWebhook's lastSuccessAt helps) before deciding to rotate again.";

const OPERATIONS: Record<string, Operation> = {
  "POST /api/v2/webhooks/{webhook_id}/rotate": {
    label: "Rotating the webhook secret",
    returnsSecret: true,
    ping: false,
    ifUnknown: ROTATE_UNKNOWN,
    unchanged: "Nothing was rotated.",
  },
  "POST /api/v2/webhooks/{webhook_id}/ping": {
    label: "Pinging the webhook",
    returnsSecret: false,
    ping: true,
    ifUnknown: "A ping may or may not have been delivered; it changes nothing, so pinging again is safe.",
  },
  "GET /api/v2/webhooks/{webhook_id}": {
    label: "Getting the webhook",
    returnsSecret: false,
    ping: false,
    ifUnknown: "Nothing was changed by a read; try again.",
  },
};

function operationOf(method: string, path: string): Operation {
  return (
    OPERATIONS[`${method} ${path}`] ?? {
      label: `${method} ${path}`,
      returnsSecret: false,
      ping: false,
      ifUnknown: "Check the server's state before sending it again.",
    }
  );
}

/** The state of one call, shared by the transport wrapper, the body reader and the failure mapping. */
interface Exchange {
  operation: Operation;
  timeoutInSeconds: number;
  webhookId: string | undefined;
  sent: boolean;
  response: Response | undefined;
  timedOut: boolean;
  /** The facade reads a 2xx body itself (bounded); every other body is read before openapi-fetch sees it. */
  callerReadsSuccess: boolean;
}

// Codes of a connection that was never established: the request cannot have left.
const NOT_CONNECTED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT"]);

function connectionCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = current.cause;
  }
  return undefined;
}

/** The settings every call of one client shares. */
interface Settings {
  origin: string;
  timeoutInSeconds: number;
  validateWebhookId: boolean;
  transport: FetchLike | undefined;
  /** The keys this client has sent, so that an echo of them is redacted from errors. */
  known: string[];
}

function bodyFailure(
  settings: Settings,
  exchange: Exchange,
  response: Response,
  problem: string,
  cause?: unknown,
) {
  const { operation } = exchange;
  const status = response.status;
  if (response.ok) {
    if (operation.returnsSecret) return new SecretNotReceivedError(operation.label, status, problem, cause);
    return new UnexpectedResponseError(
      `${operation.label} answered HTTP ${status} but ${problem}. ${operation.ifUnknown}`,
      status,
      "unknown",
      cause,
    );
  }
  return apiErrorFor({
    statusCode: status,
    body: undefined,
    operation: operation.label,
    requestId: response.headers.get("x-request-id") ?? undefined,
    bodyProblem: problem,
    advice: operation.ifUnknown,
    webhookId: exchange.webhookId,
    known: settings.known,
    ping: operation.ping,
    unchanged: operation.unchanged,
  });
}

const UTF8 = new TextDecoder();

/** The body as text, read up to {@link MAX_RESPONSE_BYTES}; a failure becomes the error its status implies. */
async function readBody(settings: Settings, exchange: Exchange, response: Response): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  const tooLarge = `its body is larger than ${MAX_RESPONSE_BYTES} bytes (1 MiB) and was not read`;
  if (declared > MAX_RESPONSE_BYTES) {
    void response.body?.cancel().catch(() => undefined);
    throw bodyFailure(settings, exchange, response, tooLarge);
  }
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_RESPONSE_BYTES) {
        void reader.cancel().catch(() => undefined);
        throw bodyFailure(settings, exchange, response, tooLarge);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (isHaiAgentsError(error)) throw error;
    const problem = exchange.timedOut
      ? `its body stalled: it did not finish within ${exchange.timeoutInSeconds} s`
      : "its body was cut off before the end";
    throw bodyFailure(settings, exchange, response, problem, error);
  }
  const bytes = chunks.length === 1 ? (chunks[0] as Uint8Array) : concat(chunks, total);
  return UTF8.decode(bytes);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function redirectError(settings: Settings, exchange: Exchange, request: Request, response: Response) {
  void response.body?.cancel().catch(() => undefined);
  let locationOrigin: string | undefined;
  const location = response.headers.get("location");
  try {
    if (location) locationOrigin = new URL(location, request.url).origin;
  } catch {
    locationOrigin = undefined;
  }
  return new HaiAgentsRedirectError({
    operation: exchange.operation.label,
    status: response.type === "opaqueredirect" ? 0 : response.status,
    locationOrigin,
    known: settings.known,
  });
}

/** The transport of every call: one attempt, to the configured origin, redirects never followed. */
async function send(settings: Settings, exchange: Exchange, request: Request): Promise<Response> {
  // Only the caller's own middleware could have swapped the request for one that breaks these rules.
  if (request.redirect !== "manual" || !request.url.startsWith(`${settings.origin}/`)) {
    throw new HaiAgentsConfigurationError(
      "baseUrl",
      `A middleware changed the request's URL or redirect mode. Requests go only to ${settings.origin} and ` +
        "never follow redirects: remove that middleware.",
    );
  }
  exchange.sent = true;
  const response = await (settings.transport ?? globalThis.fetch)(request);
  exchange.response = response;
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
    throw redirectError(settings, exchange, request, response);
  }
  if (response.ok && exchange.callerReadsSuccess) return response;
  const text = await readBody(settings, exchange, response);
  const empty = response.status === 204 || response.status === 205;
  return new Response(empty ? null : text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Turns whatever a call threw into the error that says what happened on the server. */
function failure(
  settings: Settings,
  exchange: Exchange,
  error: unknown,
  caller: AbortSignal | undefined,
): unknown {
  if (isHaiAgentsError(error)) return error;
  if (caller?.aborted) return caller.reason;
  if (!exchange.sent) return error; // the caller's own middleware threw before anything was sent
  const { operation } = exchange;
  if (exchange.response) {
    // Once a body is in memory only parsing fails (or the caller's own middleware, rethrown as is). A
    // parser's message may quote the body, which holds the secret: it is not passed on.
    if (!(error instanceof SyntaxError)) return error;
    return bodyFailure(settings, exchange, exchange.response, "its body is not JSON");
  }
  if (exchange.timedOut) {
    return new HaiAgentsTimeoutError({
      operation: operation.label,
      timeoutInSeconds: exchange.timeoutInSeconds,
      advice: operation.ifUnknown,
      cause: error,
      known: settings.known,
    });
  }
  const code = connectionCode(error);
  return new HaiAgentsNetworkError({
    operation: operation.label,
    origin: settings.origin,
    outcome: code !== undefined && NOT_CONNECTED.has(code) ? "not_sent" : "unknown",
    advice: operation.ifUnknown,
    cause: error,
    known: settings.known,
  });
}

// ---------------------------------------------------------------------------------------------------------
// The clients

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

/** openapi-fetch client typed by the spec. */
export type RotateClient = Client<paths>;

type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE";
// The init openapi-fetch takes, loosely typed: the public methods keep the generated types.
type LooseInit = { params?: { path?: Record<string, unknown> }; signal?: AbortSignal | null } & Record<
  string,
  unknown
>;
type LooseResult = { data?: unknown; error?: unknown; response: Response };

/** Per-call settings the facade passes. */
type CallOptions = { timeoutInSeconds?: number | undefined; abortSignal?: AbortSignal | undefined };

/** @internal What the facade builds on: one call under the raw client's rules. */
export interface Core {
  /**
   * Sends one request the way the SDK-shaped facade wants it: a failure status throws its typed error, a
   * 2xx resolves with its body text (read bounded, under the same timer).
   */
  send(
    method: HttpMethod,
    path: string,
    init: LooseInit,
    options?: CallOptions,
  ): Promise<{ response: Response; text: string }>;
}

/** @internal */
export function createCore(options: RotateClientOptions): { core: Core; client: RotateClient } {
  const origin = resolveBaseUrl(options.baseUrl, options.allowInsecureHttp);
  const timeoutInSeconds = options.timeoutInSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  timeoutMilliseconds(timeoutInSeconds, "The client's");
  const settings: Settings = {
    origin,
    timeoutInSeconds,
    validateWebhookId: options.validateWebhookId !== false,
    transport: options.fetch,
    known: typeof options.apiKey === "string" ? [options.apiKey] : [],
  };
  // A fixed key is a default header (a caller's own Authorization still wins, as headers merge); only a
  // token function needs a middleware, to call it per request.
  const { apiKey } = options;
  const headers =
    typeof apiKey === "string"
      ? { Authorization: `Bearer ${usableKey(apiKey)}`, ...options.headers }
      : options.headers;
  const client = createClient<paths>({ baseUrl: origin, headers, redirect: "manual" });
  if (typeof apiKey === "function") {
    client.use(
      authMiddleware(apiKey, (key) => {
        if (settings.known.includes(key)) return;
        settings.known.push(key);
        if (settings.known.length > 8) settings.known.shift();
      }),
    );
  }

  async function call(
    method: HttpMethod,
    path: string,
    init: LooseInit = {},
    callOptions: CallOptions & { sdk?: boolean } = {},
  ): Promise<LooseResult & { text?: string }> {
    const seconds = callOptions.timeoutInSeconds ?? settings.timeoutInSeconds;
    const timeoutMs = timeoutMilliseconds(
      seconds,
      callOptions.timeoutInSeconds === undefined ? "The client's" : "This call's",
    );
    const pathParams = init.params?.path;
    const webhookId = pathParams?.webhook_id;
    if (settings.validateWebhookId && pathParams && "webhook_id" in pathParams && !isWebhookId(webhookId)) {
      throw new InvalidWebhookIdError(webhookId, settings.known);
    }
    const caller = callOptions.abortSignal ?? init.signal ?? undefined;
    if (caller?.aborted) throw caller.reason;
    const exchange: Exchange = {
      operation: operationOf(method, path),
      timeoutInSeconds: seconds,
      webhookId: typeof webhookId === "string" ? webhookId : undefined,
      sent: false,
      response: undefined,
      timedOut: false,
      callerReadsSuccess: callOptions.sdk === true,
    };
    // A plain timer rather than AbortSignal.timeout(): the latter holds its signal weakly, so a request that
    // nothing else references (a stalled custom transport) could be garbage-collected and never time out.
    const controller = new AbortController();
    const timer = setTimeout(() => {
      exchange.timedOut = true;
      controller.abort(new DOMException(`No response within ${seconds} s`, "TimeoutError"));
    }, timeoutMs);
    const forwardAbort = () => controller.abort(caller?.reason);
    caller?.addEventListener("abort", forwardAbort, { once: true });
    try {
      const result = (await client.request(
        method as "get",
        path as never,
        {
          ...init,
          baseUrl: origin,
          redirect: "manual",
          signal: controller.signal,
          fetch: (request: Request) => send(settings, exchange, request),
          ...(callOptions.sdk ? { parseAs: "stream" } : {}),
        } as never,
      )) as LooseResult;
      if (!callOptions.sdk) return result;
      const { response } = result;
      if (!response.ok) {
        throw apiErrorFor({
          statusCode: response.status,
          body: result.error,
          operation: exchange.operation.label,
          requestId: response.headers.get("x-request-id") ?? undefined,
          advice: exchange.operation.ifUnknown,
          webhookId: exchange.webhookId,
          known: settings.known,
          ping: exchange.operation.ping,
          unchanged: exchange.operation.unchanged,
        });
      }
      return { response, text: await readBody(settings, exchange, response) };
    } catch (error) {
      throw failure(settings, exchange, error, caller);
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener("abort", forwardAbort);
    }
  }

  const guarded = (method: HttpMethod) => (path: string, init?: LooseInit) => call(method, path, init);
  const raw = {
    ...client,
    request: (method: string, path: string, init?: LooseInit) =>
      call(method.toUpperCase() as HttpMethod, path, init),
    GET: guarded("GET"),
    PUT: guarded("PUT"),
    POST: guarded("POST"),
    DELETE: guarded("DELETE"),
    OPTIONS: guarded("OPTIONS"),
    HEAD: guarded("HEAD"),
    PATCH: guarded("PATCH"),
    TRACE: guarded("TRACE"),
  } as unknown as RotateClient;
  const core: Core = {
    send: (method, path, init, options = {}) =>
      call(method, path, init, { ...options, sdk: true }) as Promise<{ response: Response; text: string }>,
  };
  return { core, client: raw };
}

/**
 * Creates the raw typed client. Calls look like
 * `client.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id } } })` and return
 * `{ data, error, response }` for every status the API answers with a readable body. It throws (a
 * {@link HaiAgentsError} with an `outcome`) for what is not such an answer: an invalid id or timeout, a
 * redirect (never followed), a timeout, a network failure, a body over 1 MiB, cut or unparsable.
 *
 * Requests are never retried. That matters for rotate, which is not idempotent: a retry after a lost
 * response would rotate a second time and the first new secret would be gone for good.
 */
export function createRotateClient(options: RotateClientOptions = {}): RotateClient {
  return createCore(options).client;
}
