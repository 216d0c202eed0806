// The mock's HTTP server. Each request goes down one path, top to bottom, and the first rule that has
// an answer sends it:
//
//   1. CORS: every answer carries Access-Control-Allow-Origin; a preflight is answered here.
//   2. Size: a body past MAX_BODY_BYTES is a 413, refused without being parsed (it is never parsed).
//   3. Content-Type: a header that is not a media type is a 400 problem, not a crash.
//   4. Route: an unknown path is a 404 problem; a known path with another method is a 405 with Allow.
//   5. Auth: no usable bearer token is the documented 401.
//   6. Id: a path id that is not well-formed is the documented 422, naming the value that was sent.
//   7. Prefer: an unreadable preference is a 422; a status or example the spec lacks is a 400.
//   8. Unknown id: a well-formed id that is not the spec's example is the documented 404.
//   9. STATEFUL HANDLER (the sandbox), if one is given: it may answer, or pass.
//  10. Prism: the documented example for the status (Prefer negotiation, dynamic secrets).
//
// The spec's operations take no request body, so a stray one is ignored, as the API does (clients such
// as axios send `{}` by habit). An operation that takes a body would need Prism's validation here.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MIMEType } from "node:util";
import {
  documentedCodes,
  documentedPathValues,
  exampleAnswer,
  findSpec,
  type HttpOperation,
  loadOperations,
  type MockAnswer,
  namingTheValue,
  type Preferences,
  type PrismRequest,
  problem,
  readPreferences,
  undocumentedPreference,
} from "./prism.js";

/** Request bodies past this size are refused with 413 before anything reads them as JSON. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A request that passed the common rules (1-8), as a stateful handler receives it.
 * @public for src/mock/sandbox.ts, which plugs in here
 */
export interface StatefulRequest {
  /** Upper-case, e.g. "POST". */
  method: string;
  /** The route's template, e.g. "/api/v2/webhooks/{webhook_id}/ping". */
  template: string;
  /** The spec operation, or undefined for one of the handler's own `routes`. */
  operation: HttpOperation | undefined;
  /** Decoded path parameters, already checked: well-formed, and a documented id unless Prefer asked. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The raw body, at most MAX_BODY_BYTES, never parsed. */
  body: Buffer;
  prefer: Preferences;
}

/**
 * Something that keeps state and answers some requests itself (the sandbox, src/mock/sandbox.ts). It is
 * asked after the common rules (CORS, size, 401, 422, unknown-id 404) and before Prism's examples;
 * returning undefined lets the request fall through to Prism.
 * @public for src/mock/sandbox.ts, which plugs in here
 */
export interface StatefulHandler {
  /** Routes it serves beside the spec's, e.g. { method: "GET", path: "/_sandbox/deliveries" }. They get
   *  the same rules: bearer token required (unless `secured: false`, for a page a browser tab opens),
   *  `{webhook_id}` checked like the spec's. */
  routes?: ReadonlyArray<{ method: string; path: string; secured?: boolean }>;
  handle(request: StatefulRequest): MockAnswer | undefined | Promise<MockAnswer | undefined>;
}

export interface MockServerOptions {
  host: string;
  port: number;
  /** Answer every 2xx with a freshly generated secret, as if `Prefer: dynamic=true` were always sent. */
  dynamic?: boolean;
  /** Receives one line per request; omit for silence. */
  log?: (line: string) => void;
  /** Spec entry file. Default: openapi/openapi.yaml of this package. */
  specPath?: string;
  stateful?: StatefulHandler;
}

export interface RunningMockServer {
  /** Origin the server answers on, e.g. http://127.0.0.1:4010 (the real port when 0 was asked). */
  url: string;
  port: number;
  specPath: string;
  operations: HttpOperation[];
  close(): Promise<void>;
}

interface Route {
  method: string;
  template: string;
  operation: HttpOperation | undefined;
  secured: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Rules that read the request

/** Values of the `{name}` segments of `template` in `path`, or undefined when the shapes differ. */
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
      values[name] = value; // a malformed %-escape: kept as sent, so the id check names it
    }
  }
  return values;
}

// Tokens a front end sends when its variable was never set: a mock should catch them, not accept them.
const PLACEHOLDER_TOKENS = new Set(["", "undefined", "null", "[object Object]"]);

/** The bearer token, or undefined when there is none a server could accept. The scheme is case-insensitive. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer(?:\s+(.*))?$/i.exec(header?.trim() ?? "");
  const token = match?.[1]?.trim();
  return token === undefined || PLACEHOLDER_TOKENS.has(token) ? undefined : token;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function mediaTypeProblem(contentType: string | undefined): MockAnswer | undefined {
  if (contentType === undefined) return undefined;
  try {
    new MIMEType(contentType);
    return undefined;
  } catch {
    return problem(
      400,
      "Bad Request",
      `The Content-Type header ${JSON.stringify(contentType.slice(0, 100))} is not a media type. ` +
        "Send one such as application/json, or none: these operations take no body.",
    );
  }
}

/** Reads at most MAX_BODY_BYTES; undefined when the body is (or declares itself) larger. */
/** Past this, an oversized body is not even drained: the connection is dropped. */
const MAX_DRAINED_BYTES = 16 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the socket while a chunked sender is still writing, and the client then
    // sees EPIPE instead of our 413: discard the rest (never buffered, never parsed) up to a hard bound.
    if (size > MAX_DRAINED_BYTES) return undefined;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

// ---------------------------------------------------------------------------------------------------
// The request path

function corsHeaders(request: IncomingMessage): Record<string, string> {
  return {
    "access-control-allow-origin": request.headers.origin ?? "*",
    "access-control-allow-credentials": "true",
    "access-control-expose-headers": "*",
    vary: "Origin",
  };
}

function routesOf(operations: readonly HttpOperation[], stateful: StatefulHandler | undefined): Route[] {
  const fromSpec = operations.map((operation) => ({
    method: operation.method.toUpperCase(),
    template: operation.path,
    operation,
    secured: (operation.security ?? []).length > 0,
  }));
  const extra = (stateful?.routes ?? []).map(({ method, path, secured }) => ({
    method: method.toUpperCase(),
    template: path,
    operation: undefined,
    secured: secured ?? true,
  }));
  return [...fromSpec, ...extra];
}

/** The request handler, exported so that tests can run it on a server of their own. */
export function createMockHandler(
  operations: readonly HttpOperation[],
  options: Pick<MockServerOptions, "dynamic" | "stateful">,
): (request: IncomingMessage, response: ServerResponse) => Promise<MockAnswer> {
  const routes = routesOf(operations, options.stateful);
  // Ids the mock "has", by parameter name: exactly the spec's examples, for spec and handler routes alike.
  const documented = new Map<string, string[]>();
  for (const operation of operations) {
    for (const { name, values } of documentedPathValues(operation)) documented.set(name, values);
  }
  const uuidParameters = new Set(
    operations.flatMap((operation) =>
      (operation.request?.path ?? [])
        .filter((parameter) => (parameter.schema as { format?: string } | undefined)?.format === "uuid")
        .map((parameter) => parameter.name),
    ),
  );

  /** The documented body for `status`: the route's own, or another operation's for a handler route. */
  const documentedAnswer = (route: Route, status: number, request: PrismRequest): MockAnswer => {
    const operation =
      route.operation ?? operations.find((candidate) => documentedCodes(candidate).includes(String(status)));
    if (operation && documentedCodes(operation).includes(String(status))) {
      return exampleAnswer(operation, request, { code: status });
    }
    return problem(status, status === 401 ? "Unauthorized" : "Not Found", `The mock answers ${status} here.`);
  };

  async function answer(request: IncomingMessage): Promise<MockAnswer> {
    const method = (request.method ?? "GET").toUpperCase();
    const url = new URL(request.url ?? "/", "http://mock.invalid");
    const path = url.pathname;
    const candidates = routes.filter((route) => pathParameters(route.template, path) !== undefined);
    const allow = [...new Set([...candidates.map((route) => route.method), "OPTIONS"])].join(", ");

    // 1. A CORS preflight (the browser asks before a request with an Authorization header).
    if (method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      const asked = String(request.headers["access-control-request-method"]);
      return {
        status: 204,
        headers: {
          "access-control-allow-methods": candidates.length > 0 ? allow : asked,
          "access-control-allow-headers": String(request.headers["access-control-request-headers"] ?? "*"),
          "access-control-max-age": "600",
        },
      };
    }
    // 2. Size.
    const body = await readBody(request);
    if (body === undefined) {
      return {
        ...problem(413, "Content Too Large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes here.`),
        headers: { "content-type": "application/problem+json", connection: "close" },
      };
    }
    // 3. Content-Type.
    const badType = mediaTypeProblem(request.headers["content-type"]);
    if (badType) return badType;
    // 4. Route.
    if (candidates.length === 0) {
      const served = routes.map((route) => `${route.method} ${route.template}`).join(", ");
      return problem(404, "Not Found", `No operation at ${path}. This mock serves: ${served}.`);
    }
    const route = candidates.find((candidate) => candidate.method === method);
    if (route === undefined) {
      if (method === "OPTIONS") return { status: 204, headers: { allow } };
      return {
        ...problem(405, "Method Not Allowed", `${path} does not take ${method}; it takes ${allow}.`),
        headers: { "content-type": "application/problem+json", allow },
      };
    }
    const prismRequest: PrismRequest = {
      method: method.toLowerCase() as PrismRequest["method"],
      url: { path, query: Object.fromEntries(url.searchParams) },
      headers: request.headers as Record<string, string>,
    };
    // 5. Auth.
    if (route.secured && bearerToken(request.headers.authorization) === undefined) {
      return documentedAnswer(route, 401, prismRequest);
    }
    // 6. Id.
    const params = pathParameters(route.template, path) ?? {};
    for (const [name, value] of Object.entries(params)) {
      if (uuidParameters.has(name) && !UUID.test(value)) {
        return namingTheValue(documentedAnswer(route, 422, prismRequest), name, value);
      }
    }
    // 7. Prefer.
    const prefer = readPreferences(prismRequest);
    if ("status" in prefer) return prefer;
    const refusal = route.operation && undocumentedPreference(route.operation, prefer);
    if (refusal) return refusal;
    // 8. Unknown id. UUIDs are case-insensitive: F47AC10B-... names the same webhook as f47ac10b-...
    const explicit = prefer.code !== undefined || prefer.exampleKey !== undefined;
    const unknown = Object.entries(params).some(([name, value]) => {
      const known = documented.get(name);
      return known !== undefined && !known.some((id) => id.toLowerCase() === value.toLowerCase());
    });
    const documents404 = route.operation === undefined || documentedCodes(route.operation).includes("404");
    if (unknown && !explicit && documents404) return documentedAnswer(route, 404, prismRequest);

    // 9. ======== STATEFUL HANDLER ========
    // The one place where state may answer: after every rule above, before the spec's examples.
    const stateful = await options.stateful?.handle({
      method,
      template: route.template,
      operation: route.operation,
      params,
      query: url.searchParams,
      headers: request.headers,
      body,
      prefer,
    });
    if (stateful) return stateful;
    if (route.operation === undefined) {
      return problem(404, "Not Found", `Nothing answers ${method} ${path} in this mock.`);
    }

    // 10. Prism: the documented example for the negotiated status.
    const dynamic = prefer.dynamic ?? options.dynamic ?? false;
    return exampleAnswer(route.operation, prismRequest, { ...prefer, dynamic }, Object.values(params)[0]);
  }

  return async (request, response) => {
    let result: MockAnswer;
    try {
      result = await answer(request);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      result = problem(
        500,
        "Internal Server Error",
        `The mock server failed on this request (${reason}). The server is still running; please report ` +
          "the request that caused this.",
      );
    }
    if (result.body instanceof ReadableStream) {
      streamAnswer(response, result.body, {
        ...corsHeaders(request),
        ...result.headers,
        status: result.status,
      });
      return result;
    }
    const text =
      result.body === undefined
        ? ""
        : typeof result.body === "string"
          ? result.body
          : JSON.stringify(result.body);
    const headers = { ...corsHeaders(request), ...result.headers, "content-length": Buffer.byteLength(text) };
    response.writeHead(result.status, headers).end(text);
    // A body refused unread is drained, not buffered, so the client can read the answer.
    if (!request.complete) request.resume();
    return result;
  };
}

// ---------------------------------------------------------------------------------------------------
// Request log and listening

const MAX_TARGET_LENGTH = 200;

// Request targets come from the client: strip control characters so a request cannot forge log lines.
function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** One line per request: time, method, target, Prefer, status, duration. Never another header: the
 *  Authorization header carries an API key. */
export function formatRequestLine(
  request: Pick<IncomingMessage, "method" | "url" | "headers">,
  status: number,
  durationMs: number,
  at: Date,
): string {
  const time = at.toISOString().slice(11, 19);
  const prefer = request.headers.prefer ? `  [Prefer: ${printable(String(request.headers.prefer), 80)}]` : "";
  const target = printable(request.url ?? "", MAX_TARGET_LENGTH);
  return `${time}  ${request.method ?? "?"} ${target}${prefer}  → ${status}  ${durationMs.toFixed(1)} ms`;
}

// Open streamed answers (the sandbox's live page stream), ended when the server closes.
const streaming = new Set<ServerResponse>();

/** Sends a streamed answer (a body that is a ReadableStream) until it ends or the client goes away. */
function streamAnswer(
  response: ServerResponse,
  body: ReadableStream<Uint8Array>,
  { status, ...headers }: Record<string, string | number>,
): void {
  response.writeHead(Number(status), headers);
  response.flushHeaders();
  const reader = body.getReader();
  streaming.add(response);
  response.on("close", () => {
    streaming.delete(response);
    reader.cancel().catch(() => undefined);
  });
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || response.destroyed) break;
        response.write(value);
      }
    } catch {
      // the stream failed or was cancelled: end the answer
    }
    if (!response.destroyed) response.end();
  })();
}

export async function startMockServer(options: MockServerOptions): Promise<RunningMockServer> {
  const specPath = options.specPath ?? findSpec();
  const operations = await loadOperations(specPath);
  const handle = createMockHandler(operations, options);
  const log = options.log;
  const server = createServer((request, response) => {
    const started = process.hrtime.bigint();
    handle(request, response).then(
      ({ status }) => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        log?.(formatRequestLine(request, status, durationMs, new Date()));
      },
      () => response.destroy(), // the answer could not even be written: drop the connection, keep serving
    );
  });

  // Rejects with Node's error (code EADDRINUSE...): the CLI explains it in terms of its flags.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // An IPv6 host gets its brackets in the URL.
  const url = new URL(`http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`);

  return {
    url: url.origin,
    port,
    specPath,
    operations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // A stream never ends on its own: end this server's (a socket knows its server, untyped in Node's types).
        for (const response of streaming)
          if ((response.socket as { server?: unknown } | null)?.server === server) response.destroy();
      }),
  };
}
