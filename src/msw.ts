// Mock Service Worker handlers for every operation in the bundled spec, answering by the rules of the
// Prism mock that `npm start` serves: the documented example id gets its 200 example, any other
// well-formed id the documented 404, a missing or unusable bearer token the 401, a malformed path value
// the 422 naming it, `Prefer: code=/example=/dynamic=` (or `?__code=` ...) as Prism reads them, and CORS.
// Every body is a named example of the spec (generated/openapi.json, bundled at build time), so a new
// operation or example reaches the handlers through `npm run build`, with no code here.
//
// This is the only module that imports `msw`: it is an optional peer dependency, needed only by users of
// the `hai-webhook-rotate/msw` entry point.
import { type HttpHandler, HttpResponse, http } from "msw";
import bundledSpec from "../generated/openapi.json" with { type: "json" };

export interface CreateHandlersOptions {
  /**
   * Origins to answer on besides the spec's `servers` (both regional hosts are always served), such as
   * `"http://localhost:4010"` for an app configured with `HAI_BASE_URL`.
   */
  baseUrls?: readonly string[];
  /**
   * A fresh `whsec_` secret (and `updated_at` now, `id` from the path) in every 2xx that carries a secret,
   * as `npm start -- --dynamic` does. `Prefer: dynamic=true|false` still decides per request. Default false.
   */
  dynamic?: boolean;
  /**
   * Remember rotations: each rotate of the documented webhook returns a new secret, and later answers
   * about that webhook (a GET, say) show the `updated_at` it set. Explicit `Prefer` answers stay canned.
   * State lives in this set of handlers: create a new set for each test that needs a clean start.
   */
  stateful?: boolean;
}

/** Thrown by {@link createHandlers} for an unusable option; the message says what to pass instead. */
export class MockHandlersOptionsError extends Error {
  override readonly name = "MockHandlersOptionsError";
}

// ---- Reading the spec ------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

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

interface DocumentedResponse {
  mediaType: string | undefined;
  /** Named examples in spec order; the first is the default, as in Prism. */
  examples: Map<string, unknown>;
}

interface PathParameter {
  name: string;
  pattern: RegExp | undefined;
  format: string | undefined;
  /** The parameter's documented example values: the resources that "exist" in the mock. */
  known: string[];
}

interface Operation {
  method: string;
  path: string;
  bearer: boolean;
  parameters: PathParameter[];
  responses: Map<string, DocumentedResponse>;
}

// The methods MSW has a handler for (`http.<method>`).
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

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
    format: isObject(schema) && typeof schema.format === "string" ? schema.format : undefined,
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

function readOperations(): Operation[] {
  const operations: Operation[] = [];
  for (const [path, rawItem] of Object.entries((spec.paths ?? {}) as Json)) {
    const item = resolve(rawItem) as Json;
    for (const method of HTTP_METHODS) {
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
      operations.push({ method, path, bearer: requiresBearer(operation), parameters, responses });
    }
  }
  return operations;
}

// ---- Answering one request -------------------------------------------------------------------------

interface Answer {
  status: number;
  body: unknown;
  contentType: string;
}

const problem = (status: number, title: string, detail: string): Answer => ({
  status,
  body: { type: "about:blank", title, status, detail },
  contentType: "application/problem+json",
});

// Tokens a front end sends when its variable was never set are refused, as the gateway refuses any key it
// does not know: a mock that accepts them hides the bug. The scheme is case-insensitive (RFC 9110).
const PLACEHOLDER_TOKENS = new Set(["", "undefined", "null", "[object Object]"]);

function hasUsableBearer(request: Request): boolean {
  const token = /^bearer(?:\s+(.*))?$/i.exec(request.headers.get("authorization")?.trim() ?? "")?.[1]?.trim();
  return token !== undefined && !PLACEHOLDER_TOKENS.has(token);
}

interface Preference {
  code?: number;
  example?: string;
  dynamic?: boolean;
}

// Prism's words for a value it cannot read, so that both mocks answer such a request with the same 422.
const unreadable = (key: string, value: string, kind: string): Answer => ({
  status: 422,
  body: {
    type: "https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY",
    title: "Invalid request",
    status: 422,
    detail: `optional property "${key}"\n└─ cannot decode "${value}", should be a ${kind}`,
  },
  contentType: "application/problem+json",
});

/**
 * `Prefer: code=404, example=name, dynamic=true` (parameters after `;` ignored), or else the `__code`,
 * `__example` and `__dynamic` query aliases: Prism ignores the aliases when a Prefer header is sent.
 */
function readPreference(request: Request): Preference | Answer {
  const header = request.headers.get("prefer");
  const pairs: Array<[string, string]> = header
    ? header.split(",").map((part) => {
        const [key = "", ...rest] = (part.split(";")[0] ?? "").split("=");
        return [
          key.trim().toLowerCase(),
          rest
            .join("=")
            .trim()
            .replace(/^"(.*)"$/, "$1"),
        ];
      })
    : [...new URL(request.url).searchParams].flatMap(
        ([key, value]): Array<[string, string]> =>
          key.startsWith("__") ? [[key.slice(2).toLowerCase(), value]] : [],
      );
  const preference: Preference = {};
  for (const [key, value] of pairs) {
    if (key === "code") {
      if (!/^\d+$/.test(value)) return unreadable(key, value, "number");
      preference.code = Number(value);
    } else if (key === "example") preference.example = value;
    else if (key === "dynamic") {
      if (value !== "true" && value !== "false") return unreadable(key, value, "boolean");
      preference.dynamic = value === "true";
    }
  }
  return preference;
}

function exampleNames(operation: Operation, status: string): string[] {
  return [...(operation.responses.get(status)?.examples.keys() ?? [])];
}

const successStatus = (operation: Operation) =>
  [...operation.responses.keys()].filter((code) => /^2\d\d$/.test(code)).sort()[0];

/** Why the preference cannot be served from the spec (the mock's 400, word for word), if it cannot. */
function refusePreference(operation: Operation, preference: Preference): Answer | undefined {
  const codes = [...operation.responses.keys()];
  const { code, example } = preference;
  if (code !== undefined && !codes.includes(String(code))) {
    return problem(
      400,
      "Bad Request",
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
  return problem(
    400,
    "Bad Request",
    `The ${status ?? "success"} response has no example named "${example}". ` +
      `Its examples: ${names.join(", ") || "none"}.${hint}`,
  );
}

/** The documented example `name` (default: the first) of `status`, as a copy the caller may change. */
function documented(operation: Operation, status: string, name?: string): Answer {
  const response = operation.responses.get(status);
  const chosen = name ?? exampleNames(operation, status)[0];
  if (!response || (response.mediaType !== undefined && chosen === undefined)) {
    return problem(
      500,
      "Internal Server Error",
      `The spec has no example for the ${status} response of ${operation.method.toUpperCase()} ` +
        `${operation.path}. Add a named example to it in openapi/.`,
    );
  }
  return {
    status: Number(status),
    body: chosen === undefined ? null : structuredClone(response.examples.get(chosen)),
    contentType: response.mediaType ?? "",
  };
}

const HYPHENATED_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Why pydantic (the API's validator) refuses `value` as a UUID, in its words; undefined if it would not. */
function uuidParsingError(value: string): string | undefined {
  const bad = /[^0-9a-fA-F-]/.exec(value);
  if (bad) {
    return `invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${bad[0]}\` at ${bad.index + 1}`;
  }
  const groups = value.split("-");
  if (groups.length === 1) {
    return value.length === 32
      ? undefined
      : `invalid length: expected length 32 for simple format, found ${value.length}`;
  }
  if (groups.length !== 5) return `invalid group count: expected 5, found ${groups.length}`;
  const expected = [8, 4, 4, 4, 12];
  const group = groups.findIndex((text, index) => text.length !== expected[index]);
  if (group === -1) return undefined;
  return `invalid group length in group ${group}: expected ${expected[group]}, found ${groups[group]?.length}`;
}

/** The documented 422, its entry rewritten to name the path parameter and the value actually sent. */
function invalidParameter(operation: Operation, parameter: PathParameter, value: string): Answer {
  const answer = documented(operation, "422");
  const body = answer.body;
  const entry = isObject(body) && Array.isArray(body.detail) ? body.detail[0] : undefined;
  if (!isObject(body) || !isObject(entry) || entry.input === value) return answer;
  const uuidError = parameter.format === "uuid" ? uuidParsingError(value) : undefined;
  const pattern = parameter.pattern?.source ?? "";
  body.detail = [
    uuidError
      ? {
          type: "uuid_parsing",
          loc: ["path", parameter.name],
          msg: `Input should be a valid UUID, ${uuidError}`,
          input: value,
          ctx: { error: uuidError },
        }
      : {
          type: "string_pattern_mismatch",
          loc: ["path", parameter.name],
          msg: `String should match pattern '${pattern}'`,
          input: value,
          ctx: { pattern },
        },
  ];
  return answer;
}

// 32 random bytes (the HMAC-SHA256 key size) as unpadded base64url, like the Prism mock's generator, with
// Web Crypto so that the same code runs in Node and in a service worker's page.
function freshSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `whsec_${base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

const nowToTheSecond = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

interface Context {
  operation: Operation;
  request: Request;
  params: Record<string, string>;
  dynamic: boolean;
  /** Fields a rotation changed, per webhook id (lowercase); present only in stateful mode. */
  state: Map<string, Json> | undefined;
}

function answer({ operation, request, params, dynamic, state }: Context): Answer {
  // The gateway refuses a bad key before anything else is looked at, so 401 wins over 422 and Prefer.
  if (operation.bearer && !hasUsableBearer(request)) return documented(operation, "401");
  for (const parameter of operation.parameters) {
    const value = params[parameter.name] ?? "";
    const malformed =
      (parameter.pattern && !parameter.pattern.test(value)) ||
      (parameter.format === "uuid" && !HYPHENATED_UUID.test(value));
    if (malformed) return invalidParameter(operation, parameter, value);
  }
  const preference = readPreference(request);
  if ("status" in preference) return preference;
  const refusal = refusePreference(operation, preference);
  if (refusal) return refusal;

  const explicit = preference.code !== undefined || preference.example !== undefined;
  // UUIDs are case-insensitive: F47AC10B-... names the same webhook as f47ac10b-...
  const unknown = operation.parameters.find(
    ({ name, known }) =>
      known.length > 0 && !known.some((value) => value.toLowerCase() === params[name]?.toLowerCase()),
  );
  if (!explicit && unknown && operation.responses.has("404")) return documented(operation, "404");

  const status = preference.code !== undefined ? String(preference.code) : successStatus(operation);
  if (status === undefined) return problem(500, "Internal Server Error", "The operation documents no 2xx.");
  const result = documented(operation, status, preference.example);
  const body = result.body;
  if (result.status >= 300 || !isObject(body)) return result;

  // The one path parameter names the resource (`webhook_id`): its value is the body's `id`.
  const [resourceId] = Object.values(params);
  const record = state && !explicit && resourceId !== undefined ? resourceId.toLowerCase() : undefined;
  if (typeof body.secret === "string" && (record !== undefined || (preference.dynamic ?? dynamic))) {
    body.secret = freshSecret();
    body.updated_at = nowToTheSecond();
    if (resourceId !== undefined && typeof body.id === "string") body.id = resourceId;
    if (record !== undefined) state?.set(record, { updated_at: body.updated_at });
  } else if (record !== undefined) {
    for (const [key, value] of Object.entries(state?.get(record) ?? {})) if (key in body) body[key] = value;
  }
  return result;
}

// ---- MSW handlers ----------------------------------------------------------------------------------

function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get("origin");
  return {
    "access-control-allow-origin": origin ?? "*",
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "*",
    vary: "Origin",
  };
}

function respond(result: Answer, request: Request, extra: Record<string, string> = {}): Response {
  const headers = { ...corsHeaders(request), ...extra };
  if (result.contentType === "") return new HttpResponse(null, { status: result.status, headers });
  return HttpResponse.json(result.body as Json, {
    status: result.status,
    headers: { ...headers, "content-type": result.contentType },
  });
}

/** Where requests are answered: the spec's `servers` plus the given base URLs, without a trailing slash. */
function bases(extra: readonly string[]): string[] {
  const servers = ((spec.servers ?? []) as Json[]).map((server) => String(server.url));
  return [...new Set([...servers, ...extra].map(normaliseBase))];
}

function normaliseBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MockHandlersOptionsError(
      `baseUrls must hold absolute URLs such as "http://localhost:4010"; got "${value}".`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new MockHandlersOptionsError(`baseUrls must use http or https; got "${value}".`);
  }
  return (url.origin + url.pathname).replace(/\/+$/, "");
}

type PathMatcher = (request: Request) => Record<string, string> | undefined;

// A custom predicate rather than an MSW path string: MSW's own matcher throws on a malformed %-escape
// (`/webhooks/%ZZ/rotate`), where the mock answers the 422; here the raw value goes on to validation.
function pathMatcher(baseUrls: readonly string[], template: string): PathMatcher {
  const names: string[] = [];
  const source = template
    .split(/\{([^}]+)\}/)
    .map((part, index) => {
      if (index % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part);
      return "([^/]+)";
    })
    .join("");
  const shape = new RegExp(`^${source}$`);
  return (request) => {
    const url = new URL(request.url);
    const address = url.origin + url.pathname;
    for (const base of baseUrls) {
      const match = address.startsWith(base) ? shape.exec(address.slice(base.length)) : null;
      if (match)
        return Object.fromEntries(names.map((name, index) => [name, decode(match[index + 1] ?? "")]));
    }
    return undefined;
  };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const matching =
  (match: PathMatcher) =>
  ({ request }: { request: Request }) => {
    const params = match(request);
    return params ? { matches: true, params } : false;
  };

/**
 * Request handlers for every operation of the spec, on both regional hosts and any `baseUrls` given.
 * Pass them to `setupServer(...)` (Node, vitest, jest) or `setupWorker(...)` (browser, Storybook).
 */
export function createHandlers(options: CreateHandlersOptions = {}): HttpHandler[] {
  const baseUrls = bases(options.baseUrls ?? []);
  const state = options.stateful ? new Map<string, Json>() : undefined;
  const byPath = new Map<string, Operation[]>();
  for (const operation of readOperations()) {
    byPath.set(operation.path, [...(byPath.get(operation.path) ?? []), operation]);
  }
  const handlers: HttpHandler[] = [];
  for (const [path, operations] of byPath) {
    const match = pathMatcher(baseUrls, path);
    const allowed = [...operations.map((operation) => operation.method.toUpperCase()), "OPTIONS"].join(", ");
    for (const operation of operations) {
      handlers.push(
        http[operation.method as "get"](matching(match), ({ request, params }) => {
          const context = { operation, request, params, dynamic: options.dynamic ?? false, state };
          return respond(answer(context), request);
        }),
      );
    }
    // A browser's CORS preflight (any other OPTIONS gets the Allow list), then any method the path does
    // not document: a 405 with Allow. Same headers and words as the mock's server.
    handlers.push(
      http.options(matching(match), ({ request }) => {
        const preflight = request.headers.has("access-control-request-method");
        const headers: Record<string, string> = preflight
          ? {
              "access-control-allow-methods": allowed,
              "access-control-allow-headers": request.headers.get("access-control-request-headers") ?? "*",
              "access-control-max-age": "600",
            }
          : { allow: allowed };
        return respond({ status: 204, body: null, contentType: "" }, request, headers);
      }),
      http.all(matching(match), ({ request }) => {
        const detail = `${new URL(request.url).pathname} does not take ${request.method}; it takes ${allowed}.`;
        return respond(problem(405, "Method Not Allowed", detail), request, { allow: allowed });
      }),
    );
  }
  return handlers;
}

/** Ready-made handlers with the defaults: both regional hosts, the spec's examples, no state. */
export const handlers: HttpHandler[] = createHandlers();
