// The mock's request rules, written once. `npm start` (src/mock/server.ts, a node:http adapter) and the MSW
// handlers (src/msw.ts) hand each request here as a Fetch API `Request` and send back what this returns,
// so the two answer every request the same way. No `node:*` import: this file runs in Node, in a browser's
// page and in a service worker alike.
//
// A request goes down one path, top to bottom, and the first rule that has an answer sends it:
//
//   1. CORS: every answer carries Access-Control-Allow-Origin; a preflight is answered here.
//   2. Body: more than MAX_BODY_BYTES is a 413, a Content-Type that is not a media type a 400.
//   3. Route: an unknown path is a 404 problem; a known path with another method a 405 with Allow.
//   4. Auth: no usable bearer token is the documented 401 (the gateway answers before the API).
//   5. Id: a path id the API's validator refuses is the documented 422, naming the value sent.
//   6. Prefer: a preference the mock cannot honour is a 412 marked `X-Mock-Error` (never an API answer).
//   7. Unknown id: a well-formed id that is not the spec's example is the documented 404.
//   8. STATEFUL HANDLER (the sandbox), if one is given: it may answer, or pass.
//   9. The documented example for the status, with a fresh secret when dynamic.
//
// `Accept` is never read: the API (FastAPI) answers JSON whatever it says, and so does the mock.
// The spec is generated/openapi.json, bundled at build time: a new operation or example reaches both
// adapters through `npm run build`, with no code here.

import bundledSpec from "../generated/openapi.json" with { type: "json" };
import { readBoundedStream } from "./bounded-body.js";
import { isWebhookId, uuidParsingError } from "./uuid.js";

/** Request bodies past this size are refused with 413 before anything parses them. */
export const MAX_BODY_BYTES = 64 * 1024;

/** What the mock sends back: a status, headers, and a JSON value for the body (none for a 204). */
export interface MockAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Instead of `body`: sent as it is, with its own content-type header: the sandbox's live page (text)
   *  and its event stream (a stream that ends when the client goes away). */
  raw?: string | ReadableStream<Uint8Array>;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// ---- The spec, read once ---------------------------------------------------------------------------

const spec = bundledSpec as unknown as Json;

/** Follows internal `$ref`s (`#/components/...`), the only kind a bundled spec has. */
function resolve(node: unknown): unknown {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
    if (hops > 20 || !current.$ref.startsWith("#/")) throw new Error(`Cannot resolve ${current.$ref}.`);
    current = current.$ref
      .slice(2)
      .split("/")
      .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((value, key) => (isObject(value) ? value[key] : undefined), spec);
  }
  return current;
}

interface PathParameter {
  name: string;
  pattern: RegExp | undefined;
  /** A `uuid` parameter is judged as the API's validator judges it (pydantic), not by `pattern`. */
  uuid: boolean;
  /** The parameter's documented example values: the resources that "exist" in the mock. */
  known: string[];
}

interface DocumentedResponse {
  mediaType: string | undefined;
  /** Named examples in spec order; the first is the default, as in Prism. */
  examples: Map<string, unknown>;
}

/** One operation of the spec, as the rules need it. */
export interface MockOperation {
  /** Upper case, e.g. "POST". */
  method: string;
  /** The path template, e.g. "/api/v2/webhooks/{webhook_id}/rotate". */
  path: string;
  operationId: string | undefined;
  bearer: boolean;
  parameters: PathParameter[];
  /** By status code, in spec order. */
  responses: Map<string, DocumentedResponse>;
}

const SPEC_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

function pathParameter(raw: unknown): PathParameter | undefined {
  const parameter = resolve(raw);
  if (!isObject(parameter) || parameter.in !== "path" || typeof parameter.name !== "string") return undefined;
  const schema = resolve(parameter.schema);
  const pattern = isObject(schema) && typeof schema.pattern === "string" ? schema.pattern : undefined;
  const examples = [
    parameter.example,
    ...Object.values(isObject(parameter.examples) ? parameter.examples : {}).map(
      (example) => (resolve(example) as Json | undefined)?.value,
    ),
  ];
  return {
    name: parameter.name,
    pattern: pattern === undefined ? undefined : new RegExp(pattern),
    uuid: isObject(schema) && schema.format === "uuid",
    known: examples.filter((value): value is string => typeof value === "string"),
  };
}

function documentedResponse(raw: unknown): DocumentedResponse {
  const response = resolve(raw);
  const content = isObject(response) && isObject(response.content) ? response.content : {};
  const [mediaType, media] = Object.entries(content)[0] ?? [];
  const examples = new Map<string, unknown>();
  if (isObject(media) && isObject(media.examples)) {
    for (const [name, example] of Object.entries(media.examples)) {
      examples.set(name, (resolve(example) as Json | undefined)?.value);
    }
  }
  return { mediaType, examples };
}

/** Whether the operation requires a bearer token (its own `security`, else the document's). */
function requiresBearer(operation: Json): boolean {
  const requirements = (operation.security ?? spec.security ?? []) as Json[];
  // An empty requirement object means "no credentials" is one of the accepted alternatives.
  if (requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0)) return false;
  const schemes = ((spec.components as Json | undefined)?.securitySchemes ?? {}) as Json;
  return requirements.every((requirement) =>
    Object.keys(requirement).some((name) => {
      const scheme = resolve(schemes[name]);
      return isObject(scheme) && scheme.type === "http" && String(scheme.scheme).toLowerCase() === "bearer";
    }),
  );
}

/** Every operation of the bundled spec, in spec order. */
function specOperations(): MockOperation[] {
  const operations: MockOperation[] = [];
  for (const [path, rawItem] of Object.entries((spec.paths ?? {}) as Json)) {
    const item = resolve(rawItem) as Json;
    for (const method of SPEC_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const parameters = [
        ...((item.parameters ?? []) as unknown[]),
        ...((operation.parameters ?? []) as unknown[]),
      ]
        .map(pathParameter)
        .filter((parameter): parameter is PathParameter => parameter !== undefined);
      const responses = new Map(
        Object.entries((operation.responses ?? {}) as Json).map(([code, raw]) => [
          code,
          documentedResponse(raw),
        ]),
      );
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: typeof operation.operationId === "string" ? operation.operationId : undefined,
        bearer: requiresBearer(operation),
        parameters,
        responses,
      });
    }
  }
  return operations;
}

/** The spec's `info.title` and `info.version`, for the cheat sheet. */
export function specInfo(): { title: string; version: string } {
  const info = isObject(spec.info) ? spec.info : {};
  return { title: String(info.title ?? "API"), version: String(info.version ?? "") };
}

/** The spec's `servers` URLs: the origins the MSW handlers answer on by default. */
export function specServers(): string[] {
  return ((spec.servers ?? []) as Json[]).map((server) => String(server.url));
}

// ---- Building blocks every rule and both adapters share --------------------------------------------

/** An RFC 9457 problem body: every answer the mock makes up itself (not from the spec) has this shape. */
export function problem(
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): MockAnswer {
  return {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
    body: { type: "about:blank", title, status, detail },
  };
}

/**
 * The status of a request the mock cannot honour (a status or example the spec lacks, an unreadable
 * preference). No operation documents 412, so no client can take it for an API answer; the `X-Mock-Error`
 * header and the problem type say so too. `createMockEngine` refuses a spec that starts documenting it.
 */
export const CANNOT_HONOUR_STATUS = 412;
export const MOCK_ERROR_HEADER = "x-mock-error";

function cannotHonour(detail: string): MockAnswer {
  return {
    status: CANNOT_HONOUR_STATUS,
    headers: { "content-type": "application/problem+json", [MOCK_ERROR_HEADER]: "cannot-honour-preference" },
    body: {
      type: "urn:hai-webhook-rotate:mock:cannot-honour-preference",
      title: "The mock cannot honour this request",
      status: CANNOT_HONOUR_STATUS,
      detail,
    },
  };
}

// Tokens a front end sends when its variable was never set: the gateway refuses any key it does not know,
// and a mock that accepted these would hide the bug. The scheme is case-insensitive (RFC 9110).
const PLACEHOLDER_TOKENS = new Set(["", "undefined", "null", "[object Object]"]);

/** The bearer token of an Authorization header, or undefined when there is none a server could accept. */
export function bearerToken(header: string | null | undefined): string | undefined {
  const token = /^bearer(?:\s+(.*))?$/i.exec(header?.trim() ?? "")?.[1]?.trim();
  return token === undefined || PLACEHOLDER_TOKENS.has(token) ? undefined : token;
}

const SECRET_PREFIX = "whsec_";

/**
 * A realistic new signing secret: 32 random bytes (the HMAC-SHA256 key size) as unpadded base64url, the
 * form real keys take (Prism's faker, asked for the spec's pattern, mixes alphabets and pads). Web Crypto,
 * so it runs wherever the rules do. `createMockEngine` checks that the spec's `secret` pattern admits it.
 */
export function freshSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return SECRET_PREFIX + base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Thrown when the spec and the mock disagree (a secret pattern, a status the mock reserves). */
export class MockSpecError extends Error {
  override readonly name = "MockSpecError";
}

/** Every `pattern` declared for a property named `secret`, anywhere in the spec's schemas. */
export function secretPatterns(schema: unknown, found: string[] = [], seen = new Set<unknown>()): string[] {
  if (typeof schema !== "object" || schema === null || seen.has(schema)) return found;
  seen.add(schema);
  const secret = resolve((schema as { properties?: Json }).properties?.secret) as { pattern?: unknown };
  if (typeof secret?.pattern === "string") found.push(secret.pattern);
  for (const value of Object.values(schema)) secretPatterns(resolve(value), found, seen);
  return found;
}

/** Fails fast when the spec's `secret` pattern would reject what `freshSecret` generates. */
export function assertFreshSecretsMatch(patterns: readonly string[]): void {
  const sample = freshSecret();
  for (const pattern of patterns) {
    if (!new RegExp(pattern).test(sample)) {
      throw new MockSpecError(
        `The spec's secret pattern ${pattern} rejects generated secrets such as ${SECRET_PREFIX}<43 base64url ` +
          "characters>. Align the pattern in openapi/ or freshSecret in src/mock-engine.ts.",
      );
    }
  }
}

// Text from a request reaches the console of `npm start` and of the sandbox: this keeps it on its line.
/**
 * `text` safe to print on one console line: control characters (C0, DEL, C1, line and paragraph separators,
 * which can end a line or drive the terminal) written as escapes, cut at `max` characters.
 */
export function printable(text: string, max = Number.POSITIVE_INFINITY): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

// ---- Prefer ----------------------------------------------------------------------------------------

interface Preference {
  code?: number;
  example?: string;
  dynamic?: boolean;
}

/**
 * `Prefer: code=404, example=name, dynamic=true`, or else the `__code`, `__example` and `__dynamic` query
 * aliases (ignored when a Prefer header is sent, even an empty one). One reading for both:
 * - names in any letter case (`__CODE`, `Code=`), values as sent, one pair of double quotes taken off;
 * - the first occurrence of a name wins, as RFC 7240 says (`?__dynamic=1&__dynamic=false` reads `1`);
 * - parameters after `;` and other preferences (`return=minimal`) are ignored;
 * - `code` is three digits from 100 to 599 (no sign, no leading zero: `0404` is unreadable), `example` a
 *   non-empty name, `dynamic` `true` or `false` in any case. Anything else is unreadable: a 412.
 */
function readPreference(request: Request): Preference | MockAnswer {
  const header = request.headers.get("prefer");
  const pairs: Array<[string, string]> =
    header !== null
      ? header.split(",").map((part) => {
          const [name = "", ...value] = (part.split(";")[0] ?? "").split("=");
          return [name, value.join("=")];
        })
      : [...new URL(request.url).searchParams].flatMap(
          ([name, value]): Array<[string, string]> => (name.startsWith("__") ? [[name.slice(2), value]] : []),
        );
  const seen = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = name.trim().toLowerCase();
    if (!seen.has(key)) seen.set(key, value.trim().replace(/^"(.*)"$/, "$1"));
  }
  const where = header !== null ? "Prefer" : "query alias __";
  const preference: Preference = {};
  const code = seen.get("code");
  if (code !== undefined) {
    if (!/^[1-5]\d\d$/.test(code))
      return cannotHonour(
        `${where} code=${JSON.stringify(code)} is not a status: send three digits such as 404.`,
      );
    preference.code = Number(code);
  }
  const example = seen.get("example");
  if (example !== undefined) {
    if (example === "")
      return cannotHonour(`${where} example= needs the name of one of the spec's examples.`);
    preference.example = example;
  }
  const dynamic = seen.get("dynamic")?.toLowerCase();
  if (dynamic !== undefined) {
    if (dynamic !== "true" && dynamic !== "false")
      return cannotHonour(`${where} dynamic=${JSON.stringify(dynamic)} is not true or false.`);
    preference.dynamic = dynamic === "true";
  }
  return preference;
}

const exampleNames = (operation: MockOperation, status: string) => [
  ...(operation.responses.get(status)?.examples.keys() ?? []),
];

const successStatus = (operation: MockOperation) =>
  [...operation.responses.keys()].filter((code) => /^2\d\d$/.test(code)).sort()[0];

/** Why the preference cannot be served from the spec, or undefined when it can. */
function refusePreference(operation: MockOperation, preference: Preference): MockAnswer | undefined {
  const codes = [...operation.responses.keys()];
  const { code, example } = preference;
  if (code !== undefined && !codes.includes(String(code))) {
    return cannotHonour(
      `This operation documents no ${code} response, so the mock cannot produce one. ` +
        `Documented statuses: ${codes.join(", ")}.`,
    );
  }
  if (example === undefined) return undefined;
  const status = code !== undefined ? String(code) : successStatus(operation);
  const names = status === undefined ? [] : exampleNames(operation, status);
  if (names.includes(example)) return undefined;
  const elsewhere = codes.find((candidate) => exampleNames(operation, candidate).includes(example));
  const hint = elsewhere
    ? ` "${example}" belongs to the ${elsewhere} response: send Prefer: code=${elsewhere}, example=${example}.`
    : "";
  return cannotHonour(
    `The ${status ?? "success"} response has no example named "${example}". ` +
      `Its examples: ${names.join(", ") || "none"}.${hint}`,
  );
}

// ---- Bodies and routes -----------------------------------------------------------------------------

// RFC 9110 media type: type "/" subtype *( OWS ";" OWS parameter ), parameter values a token or quoted.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*(?:${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))?)*[ \\t]*$`,
);

// Not awaited: a cloned request's stream (MSW clones) settles a cancel only once every branch is cancelled.
const discard = (body: ReadableStream | null) => void body?.cancel().catch(() => undefined);

/** Reads at most MAX_BODY_BYTES of the body; undefined (and the rest cancelled) when it is larger. */
async function readBoundedBody(request: Request): Promise<Uint8Array | undefined> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
    discard(request.body);
    return undefined;
  }
  return readBoundedStream(request.body, MAX_BODY_BYTES);
}

interface Route {
  method: string;
  template: string;
  /** The spec operation, or undefined for one of the stateful handler's own routes. */
  operation: MockOperation | undefined;
  secured: boolean;
  parameters: PathParameter[];
}

/**
 * Values of the `{name}` segments of `template` in `path`, percent-decoded (a malformed escape is kept as
 * sent, so the 422 can name it), or undefined when the shapes differ. An empty segment is a value too:
 * `/webhooks//rotate` is rotate with an empty id, which the API refuses with a 422.
 */
export function pathParameters(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split("/");
  const actual = path.split("/");
  if (expected.length !== actual.length) return undefined;
  const values: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? "";
    const name = /^\{(.+)\}$/.exec(segment)?.[1];
    if (name === undefined) {
      if (segment !== value) return undefined;
      continue;
    }
    try {
      values[name] = decodeURIComponent(value);
    } catch {
      values[name] = value;
    }
  }
  return values;
}

/** Why the API refuses `value` for `parameter`, as the 422 entry names it; undefined when it accepts it. */
function parameterIssue(parameter: PathParameter, value: string): Json | undefined {
  const loc = ["path", parameter.name];
  if (parameter.uuid) {
    const error = uuidParsingError(value);
    if (error === undefined) return undefined;
    return {
      type: "uuid_parsing",
      loc,
      msg: `Input should be a valid UUID, ${error}`,
      input: value,
      ctx: { error },
    };
  }
  if (parameter.pattern === undefined || parameter.pattern.test(value)) return undefined;
  const pattern = parameter.pattern.source;
  return {
    type: "string_pattern_mismatch",
    loc,
    msg: `String should match pattern '${pattern}'`,
    input: value,
    ctx: { pattern },
  };
}

/** The form the API stores an accepted value in: a UUID, with or without hyphens, as lower-case hyphenated. */
function canonical(parameter: PathParameter | undefined, value: string): string {
  if (!parameter?.uuid) return value;
  const hex = value.replaceAll("-", "").toLowerCase();
  const hyphenated = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return isWebhookId(hyphenated) ? hyphenated : value;
}

// ---- Which hosts are this machine ------------------------------------------------------------------
// The sandbox's Host and Origin rule, applied by the servers (npm start's node:http adapter, and the page
// `npm run rehearse -- --watch` serves), never by a service worker.

/** The host name of a Host header or an origin, lower-case and without brackets; undefined if unreadable. */
export function hostnameOf(hostOrOrigin: string): string | undefined {
  try {
    const url = new URL(hostOrOrigin.includes("://") ? hostOrOrigin : `http://${hostOrOrigin}`);
    return url.hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  } catch {
    return undefined;
  }
}

/** Whether `hostname` names this machine: loopback (localhost, *.localhost, 127.0.0.0/8, ::1) or listed. */
export function isThisMachine(hostname: string | undefined, allowed: readonly string[]): boolean {
  if (hostname === undefined || hostname === "") return false;
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return (
    name === "localhost" ||
    name.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === "::1" ||
    allowed.some((host) => host.toLowerCase() === name)
  );
}

// ---- The engine ------------------------------------------------------------------------------------

/**
 * A request that passed rules 1 to 7, as a stateful handler receives it.
 */
interface StatefulRequest {
  /** Upper-case, e.g. "POST". */
  method: string;
  /** The route's template, e.g. "/api/v2/webhooks/{webhook_id}/ping". */
  template: string;
  /** The spec operation, or undefined for one of the handler's own `routes`. */
  operation: MockOperation | undefined;
  /** Path parameters, checked and in the form the API stores them (a UUID lower-case and hyphenated). */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Headers;
  /** The raw body, at most MAX_BODY_BYTES, never parsed. */
  body: Uint8Array;
  prefer: Preference;
  /** What the mock answers when the handler passes (rule 9), for a handler that adjusts it. */
  documented(): MockAnswer;
}

/**
 * Something that keeps state and answers some requests itself: the sandbox (src/mock/sandbox.ts), or the
 * MSW handlers' `stateful` option. Asked after rules 1 to 7; returning undefined passes to the examples.
 */
export interface StatefulHandler {
  /** Routes it serves beside the spec's, e.g. { method: "GET", path: "/_sandbox/deliveries" }. They get the
   *  same rules: a bearer token required (unless `secured: false`, for a page a browser tab opens), a
   *  `{webhook_id}` checked like the spec's. */
  routes?: ReadonlyArray<{ method: string; path: string; secured?: boolean }>;
  handle(request: StatefulRequest): MockAnswer | undefined | Promise<MockAnswer | undefined>;
}

/**
 * Where the body of a documented example comes from: by default the bundled spec's own examples; `npm start`
 * asks Prism, the project's mock server, for the same example of the same spec.
 */
export type ExampleSource = (operation: MockOperation, status: string, example: string) => unknown;

export interface MockEngineOptions {
  /** A fresh secret (and `updated_at` now, `id` from the path) in every 2xx that carries a secret, as if
   *  `Prefer: dynamic=true` were always sent. `Prefer: dynamic=false` still turns it off per request. */
  dynamic?: boolean;
  stateful?: StatefulHandler;
  /** Whether a browser page from `origin` may read answers; default any origin. A refused origin gets a 403. */
  allowOrigin?: (origin: string) => boolean;
  examples?: ExampleSource;
}

export interface MockEngine {
  readonly operations: readonly MockOperation[];
  /** Whether `path` (relative to the base URL) is one the mock has a route for. */
  serves(path: string): boolean;
  /** The answer to `request`, whose path relative to the base URL is `path` (default: the URL's path). */
  answer(request: Request, path?: string): Promise<MockAnswer>;
}

const specExample: ExampleSource = (operation, status, example) =>
  structuredClone(operation.responses.get(status)?.examples.get(example));

export function createMockEngine(options: MockEngineOptions = {}): MockEngine {
  const operations = specOperations();
  assertFreshSecretsMatch(secretPatterns(spec.components));
  for (const operation of operations) {
    if (operation.responses.has(String(CANNOT_HONOUR_STATUS)))
      throw new MockSpecError(
        `${operation.method} ${operation.path} documents ${CANNOT_HONOUR_STATUS}, the status the mock keeps for ` +
          "requests it cannot honour. Pick another CANNOT_HONOUR_STATUS in src/mock-engine.ts.",
      );
  }
  const examples = options.examples ?? specExample;
  const parametersByName = new Map(
    operations.flatMap((op) => op.parameters.map((p) => [p.name, p] as const)),
  );
  const routes: Route[] = [
    ...operations.map((operation) => ({
      method: operation.method,
      template: operation.path,
      operation,
      secured: operation.bearer,
      parameters: operation.parameters,
    })),
    ...(options.stateful?.routes ?? []).map(({ method, path, secured }) => ({
      method: method.toUpperCase(),
      template: path,
      operation: undefined,
      secured: secured ?? true,
      parameters: [...path.matchAll(/\{([^}]+)\}/g)].flatMap(([, name]) => {
        const parameter = parametersByName.get(name ?? "");
        return parameter ? [parameter] : [];
      }),
    })),
  ];

  /** The documented example `name` (default: the first) of `status`, for the route or, for a handler
   *  route, for the first operation that documents that status. */
  function documented(route: Route, status: string, name?: string): MockAnswer {
    const operation = route.operation?.responses.has(status)
      ? route.operation
      : operations.find((candidate) => candidate.responses.has(status));
    const response = operation?.responses.get(status);
    if (operation === undefined || response === undefined)
      return problem(Number(status), "Error", `The mock answers ${status} here.`);
    if (response.mediaType === undefined) return { status: Number(status) };
    const chosen = name ?? exampleNames(operation, status)[0];
    if (chosen === undefined)
      throw new MockSpecError(
        `The spec has no example for the ${status} response of ${operation.method} ${operation.path}. ` +
          "Add a named example to it in openapi/.",
      );
    return {
      status: Number(status),
      headers: { "content-type": response.mediaType },
      body: examples(operation, status, chosen),
    };
  }

  function corsHeaders(request: Request): Record<string, string> {
    const origin = request.headers.get("origin");
    return {
      "access-control-allow-origin": origin ?? "*",
      "access-control-expose-headers": "*",
      vary: "Origin",
    };
  }

  async function decide(request: Request, path: string): Promise<MockAnswer> {
    const method = request.method.toUpperCase();
    const candidates = routes.filter((route) => pathParameters(route.template, path) !== undefined);
    const allow = [...new Set([...candidates.map((route) => route.method), "OPTIONS"])].join(", ");

    // 1. A CORS preflight (the browser asks before a request with an Authorization header).
    const asked = request.headers.get("access-control-request-method");
    if (method === "OPTIONS" && asked !== null) {
      return {
        status: 204,
        headers: {
          "access-control-allow-methods": candidates.length > 0 ? allow : asked,
          "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
          "access-control-max-age": "600",
        },
      };
    }
    // 2. Body: its size, then its declared type. The operations take none, so it is never parsed here.
    const body = await readBoundedBody(request);
    if (body === undefined)
      return problem(
        413,
        "Content Too Large",
        `Request bodies are limited to ${MAX_BODY_BYTES} bytes here.`,
        {
          [MOCK_ERROR_HEADER]: "body-too-large",
        },
      );
    const contentType = request.headers.get("content-type");
    if (contentType !== null && !MEDIA_TYPE.test(contentType))
      return problem(
        400,
        "Bad Request",
        `The Content-Type header ${JSON.stringify(contentType.slice(0, 100))} is not a media type. ` +
          "Send one such as application/json, or none: these operations take no body.",
        { [MOCK_ERROR_HEADER]: "bad-content-type" },
      );
    // 3. Route.
    if (candidates.length === 0) {
      const served = routes.map((route) => `${route.method} ${route.template}`).join(", ");
      return problem(404, "Not Found", `No operation at ${path}. This mock serves: ${served}.`);
    }
    const route = candidates.find((candidate) => candidate.method === method);
    if (route === undefined) {
      if (method === "OPTIONS") return { status: 204, headers: { allow } };
      return problem(405, "Method Not Allowed", `${path} does not take ${method}; it takes ${allow}.`, {
        allow,
      });
    }
    // 4. Auth: the gateway refuses a bad key before the API looks at anything else.
    if (route.secured && bearerToken(request.headers.get("authorization")) === undefined)
      return documented(route, "401");
    // 5. Id.
    const raw = pathParameters(route.template, path) ?? {};
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) {
      const parameter = route.parameters.find((candidate) => candidate.name === name);
      const issue = parameter && parameterIssue(parameter, value);
      if (issue) {
        const answer = documented(route, "422");
        const example = answer.body;
        // The documented body, its one entry about the value actually sent (the API reports each
        // parameter; these routes have one).
        const first = isObject(example) && Array.isArray(example.detail) ? example.detail[0] : undefined;
        const entry = isObject(first) ? { ...first, ...issue } : issue;
        return { ...answer, body: isObject(example) ? { ...example, detail: [entry] } : { detail: [entry] } };
      }
      params[name] = canonical(parameter, value);
    }
    // 6. Prefer.
    const prefer = readPreference(request);
    if ("status" in prefer) return prefer;
    const refusal = route.operation && refusePreference(route.operation, prefer);
    if (refusal) return refusal;
    // 7. Unknown id. UUIDs compare in their stored form: F47AC10B-... names the same webhook as f47ac10b-...
    const explicit = prefer.code !== undefined || prefer.example !== undefined;
    const unknown = route.parameters.some(
      (parameter) =>
        parameter.known.length > 0 &&
        !parameter.known.some((value) => canonical(parameter, value) === params[parameter.name]),
    );
    const documents404 = route.operation === undefined || route.operation.responses.has("404");
    if (unknown && !explicit && documents404) return documented(route, "404");

    // 9. The documented example, made dynamic when asked (computed lazily: a stateful handler may not need it).
    const example = (): MockAnswer => {
      if (route.operation === undefined)
        return problem(404, "Not Found", `Nothing answers ${method} ${path} in this mock.`);
      const status = prefer.code !== undefined ? String(prefer.code) : successStatus(route.operation);
      if (status === undefined)
        throw new MockSpecError(`${method} ${route.template} documents no 2xx response to answer with.`);
      const answer = documented(route, status, prefer.example);
      if ((prefer.dynamic ?? options.dynamic) && answer.status < 300)
        answer.body = withFreshSecret(answer.body, params);
      return answer;
    };
    // 8. ======== STATEFUL HANDLER ========
    // The one place where state may answer: after every rule above, before the spec's examples.
    const stateful = await options.stateful?.handle({
      method,
      template: route.template,
      operation: route.operation,
      params,
      query: new URL(request.url).searchParams,
      headers: request.headers,
      body,
      prefer,
      documented: example,
    });
    return stateful ?? example();
  }

  /** What a real rotation returns: a new secret, `updated_at` now, the path's id as `id`. */
  function withFreshSecret(body: unknown, params: Record<string, string>): unknown {
    if (!isObject(body) || typeof body.secret !== "string") return body;
    const rotated: Json = {
      ...body,
      secret: freshSecret(),
      updated_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    };
    const [id] = Object.values(params);
    if (id !== undefined && typeof body.id === "string") rotated.id = id;
    return rotated;
  }

  return {
    operations,
    serves: (path) => routes.some((route) => pathParameters(route.template, path) !== undefined),
    async answer(request, path = new URL(request.url).pathname) {
      const origin = request.headers.get("origin");
      if (origin !== null && options.allowOrigin && !options.allowOrigin(origin)) {
        discard(request.body);
        return problem(
          403,
          "Forbidden",
          `Pages from ${JSON.stringify(origin.slice(0, 100))} may not use this mock: only this machine's origins ` +
            "(and hosts named with --allowed-hosts) may.",
          { [MOCK_ERROR_HEADER]: "origin-not-allowed" },
        );
      }
      const answer = await decide(request, path);
      const headers = { ...corsHeaders(request), ...answer.headers };
      if (answer.body !== undefined && !("content-type" in headers))
        headers["content-type"] = "application/json";
      return { ...answer, headers };
    },
  };
}

/** The answer as a Fetch `Response`: what both adapters send. */
export function toResponse(answer: MockAnswer): Response {
  const body =
    answer.raw ?? (answer.body === undefined || answer.status === 204 ? null : JSON.stringify(answer.body));
  return new Response(body, { status: answer.status, headers: answer.headers });
}
