// The limit for the mock: a bare node:http server answering every request with the spec's example body.
// Run as its own process, like the mock, so it does not share an event loop with the load generator.
import { createServer } from "node:http";
import { seedResponseBody } from "./spec-example.mjs";

const body = seedResponseBody();
const server = createServer((request, response) => {
  request.resume();
  response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  response.end(body);
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
