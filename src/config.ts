// Resolves the API key and base URL from options and the environment, failing early with a message that
// names the setting to fix. Values are never echoed: a key must not reach a log through an error.
import { HaiAgentsConfigurationError } from "./client-errors.js";
import { DEFAULT_BASE_URL } from "./environments.js";

/** Environment variable holding the API key, as in the official SDKs. */
export const API_KEY_ENV = "HAI_API_KEY";
/** Name used by older official SDK releases; read only when {@link API_KEY_ENV} is unset. */
export const LEGACY_API_KEY_ENV = "H_API_KEY";
/** Environment variable that overrides the base URL (point it at the mock server, for instance). */
export const BASE_URL_ENV = "HAI_BASE_URL";

export type Environment = Readonly<Record<string, string | undefined>>;

function processEnv(): Environment {
  // `process` does not exist in browsers; there the key must come from the options.
  const maybeProcess = (globalThis as { process?: { env?: Environment } }).process;
  return maybeProcess?.env ?? {};
}

export function resolveApiKey(explicit: string | undefined, env: Environment = processEnv()): string {
  const fromEnv = env[API_KEY_ENV] || env[LEGACY_API_KEY_ENV];
  const key = explicit ?? fromEnv;
  const source = explicit !== undefined ? "the `token` option" : API_KEY_ENV;
  if (key === undefined || key === "") {
    throw new HaiAgentsConfigurationError(
      "apiKey",
      `No API key found. Set the ${API_KEY_ENV} environment variable to your platform key (hk-...), ` +
        "or pass `{ token }` to the client.",
    );
  }
  if (/\s/.test(key)) {
    throw new HaiAgentsConfigurationError(
      "apiKey",
      `The API key from ${source} contains whitespace (often a trailing newline from a .env file or a ` +
        "secret manager). Remove it and try again.",
    );
  }
  return key;
}

export function resolveBaseUrl(explicit: string | undefined, env: Environment = processEnv()): string {
  const raw = explicit ?? (env[BASE_URL_ENV] || DEFAULT_BASE_URL);
  const source = explicit !== undefined ? "the `baseUrl`/`environment` option" : BASE_URL_ENV;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HaiAgentsConfigurationError(
      "baseUrl",
      `The base URL from ${source} is not an absolute URL. Use an origin such as ${DEFAULT_BASE_URL} ` +
        "or http://127.0.0.1:4010 for the mock server.",
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new HaiAgentsConfigurationError("baseUrl", `The base URL from ${source} must use http or https.`);
  }
  if (url.username || url.password) {
    throw new HaiAgentsConfigurationError(
      "baseUrl",
      `The base URL from ${source} must not contain credentials; pass the API key as \`token\` instead.`,
    );
  }
  // Paths in the spec start with /api/v2, so a base URL that repeats it would double the prefix.
  if (/\/api\/v2\/?$/.test(url.pathname)) {
    throw new HaiAgentsConfigurationError(
      "baseUrl",
      `The base URL from ${source} ends with /api/v2, which every path already starts with. Use the origin only.`,
    );
  }
  return url.href.replace(/\/+$/, "");
}
