// Mock Service Worker handlers for every operation in the bundled spec: a thin adapter over the mock's
// rules (src/mock-engine.ts), the same rules `npm start` serves, so both answer every request alike.
// This file only decides which requests are the mock's (a documented path under a served origin) and
// adds what only the handlers have: their options and the `stateful` memory of rotations.
//
// This is the only module that imports `msw`: it is an optional peer dependency, needed only by users of
// the `hai-webhook-rotate/msw` entry point.
import { type HttpHandler, http } from "msw";
import {
  createMockEngine,
  freshSecret,
  type StatefulHandler,
  specServers,
  toResponse,
} from "./mock-engine.js";

export interface CreateHandlersOptions {
  /**
   * Origins to answer on besides the spec's `servers` (both regional hosts are always served), such as
   * `"http://localhost:4010"` for an app configured with `HAI_BASE_URL`. A path prefix is allowed.
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

/** The `stateful` option: rotations of a webhook change what later answers about it show. */
function rememberRotations(): StatefulHandler {
  const updatedAt = new Map<string, string>();
  return {
    handle({ params, prefer, documented }) {
      const answer = documented();
      const id = params.webhook_id;
      const body = answer.body;
      const explicit = prefer.code !== undefined || prefer.example !== undefined;
      if (explicit || id === undefined || answer.status >= 300 || typeof body !== "object" || body === null)
        return answer;
      const record = body as Record<string, unknown>;
      if (typeof record.secret === "string") {
        const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
        updatedAt.set(id, now);
        return { ...answer, body: { ...record, id, secret: freshSecret(), updated_at: now } };
      }
      const last = updatedAt.get(id);
      if (last !== undefined && "updated_at" in record)
        return { ...answer, body: { ...record, updated_at: last } };
      return answer;
    },
  };
}

/**
 * Request handlers for every operation of the spec, on both regional hosts and any `baseUrls` given.
 * Pass them to `setupServer(...)` (Node, vitest, jest) or `setupWorker(...)` (browser, Storybook).
 * Paths the spec does not have are left to MSW's `onUnhandledRequest`.
 */
export function createHandlers(options: CreateHandlersOptions = {}): HttpHandler[] {
  const bases = [...new Set([...specServers(), ...(options.baseUrls ?? [])].map(normaliseBase))];
  const engine = createMockEngine({
    dynamic: options.dynamic ?? false,
    stateful: options.stateful ? rememberRotations() : undefined,
  });
  // A predicate rather than an MSW path string: MSW's matcher throws on a malformed %-escape and skips an
  // empty segment, where the rules answer the 422 naming the value.
  const served = (request: Request): string | undefined => {
    const url = new URL(request.url);
    const address = url.origin + url.pathname;
    for (const base of bases) {
      const path = address.startsWith(base) ? address.slice(base.length) : undefined;
      if (path !== undefined && engine.serves(path)) return path;
    }
    return undefined;
  };
  return [
    http.all(
      ({ request }) => {
        const path = served(request);
        return path === undefined ? false : { matches: true, params: { path } };
      },
      async ({ request, params }) => toResponse(await engine.answer(request, String(params.path))),
    ),
  ];
}

/** Ready-made handlers with the defaults: both regional hosts, the spec's examples, no state. */
export const handlers: HttpHandler[] = createHandlers();
