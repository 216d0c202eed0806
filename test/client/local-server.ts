// A real HTTP server on 127.0.0.1 (ephemeral port) for client tests: each test scripts the answer and
// counts what arrived, so "exactly one request" is observed on the wire, not inferred.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface ArrivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface LocalServer {
  origin: string;
  requests: ArrivedRequest[];
  /** Replaces how the server answers. */
  answer(handler: Handler): void;
  close(): Promise<void>;
}

export async function startServer(handler: Handler = (_, response) => response.end()): Promise<LocalServer> {
  let current = handler;
  const requests: ArrivedRequest[] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    request.resume();
    current(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes a JSON answer. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
