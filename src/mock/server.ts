// `npm start`'s HTTP server: a node:http adapter over the mock's rules (src/mock-engine.ts), which decide
// every answer, with Prism producing the documented examples (prism.ts). This file keeps only what a real
// server needs and a service worker does not:
//
//   - sockets: a bounded number of open connections, a body refused unread drained up to a bound (so the
//     client reads our 413 rather than a reset), then the connection dropped past it;
//   - the Host check (`allowedHosts`), which stops a web page from reaching the sandbox by DNS rebinding;
//   - one log line per request, with control characters escaped;
//   - a 500 problem, not a dropped connection, if the rules ever throw (a bug: please report it).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createMockEngine,
  hostnameOf,
  isThisMachine,
  MOCK_ERROR_HEADER,
  type MockAnswer,
  type MockEngine,
  type MockEngineOptions,
  type MockOperation,
  printable,
  problem,
  toResponse,
} from "../mock-engine.js";
import { prismExamples } from "./prism.js";

/** Past this, a body refused unread is not even drained: the connection is dropped. */
const MAX_DRAINED_BYTES = 16 * 1024 * 1024;
/** Open connections at once; more wait in the kernel's backlog (a flood cannot exhaust descriptors). */
const MAX_CONNECTIONS = 256;

export interface MockServerOptions extends Pick<MockEngineOptions, "dynamic" | "stateful"> {
  host: string;
  port: number;
  /** Receives one line per request; omit for silence. */
  log?: (line: string) => void;
  /**
   * When given, only requests whose Host (and browser Origin) is this machine are answered: loopback names
   * and addresses, the address the server is bound to, and these hosts. Undefined: any Host (the plain mock).
   */
  allowedHosts?: readonly string[];
}

export interface RunningMockServer {
  /** Origin the server answers on, e.g. http://127.0.0.1:4010 (the real port when 0 was asked). */
  url: string;
  port: number;
  operations: readonly MockOperation[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// From node:http to a Fetch Request, and back

/**
 * Reads and discards the rest of a body nobody will read, dropping the connection past MAX_DRAINED_BYTES.
 * Resolves once the body has ended or the connection is gone.
 */
function drain(request: IncomingMessage): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  let size = 0;
  request.removeAllListeners("data");
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_DRAINED_BYTES) request.socket.destroy();
  });
  const done = new Promise<void>((resolve) => {
    request.once("end", resolve);
    request.once("close", resolve);
  });
  request.resume();
  return done;
}

/** The body as a web stream that pulls from the socket; cancelling it (a 413) drains the rest instead. */
function bodyStream(request: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      request.pause();
      request.on("data", (chunk: Buffer) => {
        if (cancelled) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) request.pause();
      });
      request.on("end", () => cancelled || controller.close());
      request.on("error", (error) => cancelled || controller.error(error));
    },
    pull() {
      request.resume();
    },
    cancel() {
      cancelled = true;
      void drain(request);
    },
  });
}

function toFetchRequest(request: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    headers.append(request.rawHeaders[i] as string, request.rawHeaders[i + 1] as string);
  }
  const method = request.method ?? "GET";
  // A Fetch request cannot carry a body on GET or HEAD: such a body is drained before the answer.
  const hasBody = !["GET", "HEAD"].includes(method.toUpperCase());
  return new Request(origin + (request.url ?? "/"), {
    method,
    headers,
    body: hasBody ? bodyStream(request) : null,
    duplex: "half",
  } as RequestInit);
}

// Streamed answers open now (the sandbox's live page stream): they never end on their own, so closing the
// server ends them.
const streaming = new Set<ServerResponse>();

/** Sends a streamed answer until the stream ends or the client goes away. */
function sendStream(response: ServerResponse, answer: MockAnswer, body: ReadableStream<Uint8Array>): void {
  response.writeHead(answer.status, answer.headers).flushHeaders();
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
      // cancelled, or the stream failed: end the answer
    }
    if (!response.destroyed) response.end();
  })();
}

async function send(response: ServerResponse, answer: MockAnswer, closeAfter: boolean): Promise<void> {
  if (answer.raw instanceof ReadableStream) return sendStream(response, answer, answer.raw);
  const fetchResponse = toResponse(answer);
  const bytes = Buffer.from(await fetchResponse.arrayBuffer());
  const headers: Record<string, string | number> = Object.fromEntries(fetchResponse.headers);
  if (answer.status !== 204) headers["content-length"] = bytes.length;
  if (closeAfter) headers.connection = "close";
  response.writeHead(answer.status, headers).end(bytes);
}

// ---------------------------------------------------------------------------------------------------
// The request log

/** Request targets are capped in log lines: a 16 KB path should not flood the terminal. */
const MAX_TARGET_LENGTH = 200;

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
  return `${time}  ${printable(request.method ?? "?")} ${target}${prefer}  → ${status}  ${durationMs.toFixed(1)} ms`;
}

// ---------------------------------------------------------------------------------------------------
// The server

/** The node:http request handler over `engine`, exported so that tests can run it on a server of their own. */
export function createMockHandler(
  engine: MockEngine,
  options: Pick<MockServerOptions, "allowedHosts"> = {},
): (request: IncomingMessage, response: ServerResponse) => Promise<MockAnswer> {
  const allowedHosts = options.allowedHosts;
  return async (request, response) => {
    let answer: MockAnswer;
    try {
      const host = request.headers.host;
      if (allowedHosts !== undefined && !isThisMachine(hostnameOf(host ?? ""), allowedHosts)) {
        answer = problem(
          403,
          "Forbidden",
          `This sandbox answers only requests addressed to this machine, not to Host ${JSON.stringify(printable(host ?? "", 100))}. ` +
            "To reach it under another name, start it with --allowed-hosts <name>.",
          { [MOCK_ERROR_HEADER]: "host-not-allowed" },
        );
      } else if (!request.url?.startsWith("/")) {
        answer = problem(
          400,
          "Bad Request",
          "The request target must be a path such as /api/v2/webhooks/...",
          {
            [MOCK_ERROR_HEADER]: "bad-request-target",
          },
        );
      } else {
        answer = await engine.answer(toFetchRequest(request, "http://mock.invalid"));
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      answer = problem(
        500,
        "Internal Server Error",
        `The mock server failed on this request (${reason}). The server is still running; please report ` +
          "the request that caused this.",
      );
    }
    // A body refused unread is drained (read and discarded, not buffered) before the answer: a client still
    // writing it would otherwise meet a closed socket (EPIPE) instead of reading our 413. The connection
    // still closes after the answer, since a body cut short cannot be trusted to frame a next request.
    const unread = !request.complete;
    await drain(request);
    if (!request.socket.destroyed) await send(response, answer, unread);
    return answer;
  };
}

export async function startMockServer(options: MockServerOptions): Promise<RunningMockServer> {
  const allowedHosts =
    options.allowedHosts === undefined
      ? undefined
      : [...options.allowedHosts, ...(["0.0.0.0", "::"].includes(options.host) ? [] : [options.host])];
  const engine = createMockEngine({
    dynamic: options.dynamic,
    stateful: options.stateful,
    examples: await prismExamples(),
    allowOrigin: allowedHosts && ((origin) => isThisMachine(hostnameOf(origin), allowedHosts)),
  });
  const handle = createMockHandler(engine, { allowedHosts });
  const log = options.log;
  const server = createServer((request, response) => {
    const started = performance.now();
    handle(request, response).then(
      ({ status }) => log?.(formatRequestLine(request, status, performance.now() - started, new Date())),
      () => response.destroy(), // the answer could not even be written: drop the connection, keep serving
    );
  });
  server.maxConnections = MAX_CONNECTIONS;

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
    operations: engine.operations,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        // A socket knows its server (a property Node's types leave out).
        for (const response of streaming)
          if ((response.socket as { server?: unknown } | null)?.server === server) response.destroy();
      }),
  };
}
