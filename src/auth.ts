import type { Middleware } from "openapi-fetch";

/** Where a bearer token comes from: a fixed key, or a function for keys that rotate or load lazily. */
export type ApiKeySource = string | (() => string | Promise<string>);

/**
 * openapi-fetch middleware that adds `Authorization: Bearer <key>` to every request that does not already
 * carry an Authorization header. The key is held in this closure only; it is never logged or attached to errors.
 */
export function bearerAuth(apiKey: ApiKeySource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has("Authorization")) return undefined;
      const key = typeof apiKey === "function" ? await apiKey() : apiKey;
      request.headers.set("Authorization", `Bearer ${key}`);
      return request;
    },
  };
}
