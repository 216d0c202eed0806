// One line per request: time, method, path, Prefer header, status, duration. Read from Node's built-in
// HTTP diagnostics channels, so Prism's own (much costlier) logger can stay silent. Headers other than
// Prefer are never printed: the Authorization header carries an API key.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: Server;
}

const MAX_TARGET_LENGTH = 200;

// Request targets come from the client: strip control characters so a request cannot forge log lines.
function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

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

/** Logs every request answered on `port`; returns a function that stops logging. */
export function logRequests(port: number, write: (line: string) => void): () => void {
  const started = new WeakMap<IncomingMessage, bigint>();
  const ours = (server: Server) => (server.address() as AddressInfo | null)?.port === port;
  const onStart = (message: unknown) => {
    const { request, server } = message as ServerMessage;
    if (ours(server)) started.set(request, process.hrtime.bigint());
  };
  const onFinish = (message: unknown) => {
    const { request, response, server } = message as ServerMessage;
    const start = started.get(request);
    if (start === undefined || !ours(server)) return;
    const durationMs = Number(process.hrtime.bigint() - start) / 1e6;
    write(formatRequestLine(request, response.statusCode, durationMs, new Date()));
  };
  subscribe("http.server.request.start", onStart);
  subscribe("http.server.response.finish", onFinish);
  return () => {
    unsubscribe("http.server.request.start", onStart);
    unsubscribe("http.server.response.finish", onFinish);
  };
}
