// The MSW handlers (`hai-webhook-rotate/msw`) as a provider, at the default regional host. Requests go
// through MSW's own handler resolution (`getResponse`, what setupServer and setupWorker run for each
// intercepted request) inside this `fetch`, so no global is patched and the other providers in the same
// worker keep the real network. The interception itself is tested in test/msw/ (setupServer in Node,
// setupWorker in Chromium). CORS checks do not apply: there is no server a browser could reach.
import { getResponse, type HttpHandler } from "msw";
import { inject } from "vitest";
import { handlers } from "../../../src/msw.js";
import type { Provider } from "../target.js";

/** A provider answering from `set`; test/msw/contract.test.ts also runs it with broken sets. */
export function mswProvider(set: readonly HttpHandler[], name: string, webhookId: string): Provider {
  return {
    name,
    baseUrl: "https://agp.eu.hcompany.ai",
    token: "hk-contract-msw",
    webhookId,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const response = await getResponse([...set], request);
      // As `onUnhandledRequest: "error"` would: a request no handler takes is a failure, never the network.
      if (!response) throw new TypeError(`No MSW handler answers ${request.method} ${request.url}.`);
      return response;
    },
    extras: new Set(["spec-examples", "prefer"]),
  };
}

// The spec's example webhook, the one the handlers (like the mock) know.
export default () => mswProvider(handlers, "the MSW handlers", inject("contractTarget").webhookId);
