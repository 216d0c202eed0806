// The mock server (`npm start`, started by the global setup), reached over HTTP with Node's fetch.
import { inject } from "vitest";
import type { Provider } from "../target.js";

export default function mockProvider(): Provider {
  const mock = inject("contractTarget");
  return {
    name: "the mock server",
    baseUrl: mock.baseUrl,
    token: mock.token,
    webhookId: mock.webhookId,
    fetch: (input, init) => fetch(input, init),
    extras: new Set(["http-server", "spec-examples", "prefer"]),
  };
}
