// A TCP server on 127.0.0.1 (ephemeral port) that answers each request with bytes a test scripts, for the
// answers node:http will not produce: a malformed status line or header, a status outside HTTP's range, a
// body cut at a chosen byte. It counts the request heads that arrived, so "sent once" or "nothing sent" is
// observed on the wire.

import type { AddressInfo } from "node:net";
import { createServer, type Socket } from "node:net";

export interface RawServer {
  origin: string;
  /** Request heads received (a TLS ClientHello is not one). */
  requests: number;
  /** Replaces the answer: bytes to write before closing, or a function that drives the socket itself. */
  answer(next: string | ((socket: Socket) => void)): void;
  close(): Promise<void>;
}

export async function startRawServer(first: string | ((socket: Socket) => void) = ""): Promise<RawServer> {
  let current = first;
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let head = "";
    socket.on("data", (chunk) => {
      if (head.includes("\r\n\r\n")) return;
      head += chunk.toString("latin1");
      if (!/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(head)) {
        // Not HTTP (a TLS handshake, say): answer as an HTTP server answers garbage.
        socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        return;
      }
      if (!head.includes("\r\n\r\n")) return;
      state.requests += 1;
      if (typeof current === "string") socket.end(Buffer.from(current, "latin1"));
      else current(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    answer(next) {
      current = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
