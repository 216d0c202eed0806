// Command-line flags and environment variables of the mock server. Flags win over the environment.
import { parseArgs } from "node:util";

export interface MockOptions {
  host: string;
  /** 0 picks a free port; the URL actually bound is printed. */
  port: number;
  /** Answer every 200 with a freshly generated secret, as if `Prefer: dynamic=true` were always sent. */
  dynamic: boolean;
  /** Do not print one line per request. */
  quiet: boolean;
  help: boolean;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 4010;

export const USAGE = `Usage: npm start -- [options]    (or: node dist/src/mock/cli.js [options])

Serves openapi/openapi.yaml with Prism, answering from the spec's examples.

Options:
  -p, --port <n>   Port to listen on (env MOCK_PORT, default ${DEFAULT_PORT}; 0 picks a free one)
      --host <h>   Interface to bind (env MOCK_HOST, default ${DEFAULT_HOST})
      --dynamic    Fresh whsec_ secret in every 200 (env MOCK_DYNAMIC=true); per request: Prefer: dynamic=true
  -q, --quiet      Do not log requests (env MOCK_QUIET=true)
  -h, --help       Show this help`;

/** Bad flag or environment value; the message names the setting and how to fix it. */
export class MockOptionsError extends Error {
  override readonly name = "MockOptionsError";
}

type Env = Readonly<Record<string, string | undefined>>;

function parsePort(raw: string, source: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new MockOptionsError(`${source} must be a port number from 0 to 65535, got "${raw}".`);
  }
  return Number(raw);
}

function parseBoolean(raw: string | undefined, source: string): boolean | undefined {
  if (raw === undefined || raw === "") return undefined;
  if (/^(1|true|yes)$/i.test(raw)) return true;
  if (/^(0|false|no)$/i.test(raw)) return false;
  throw new MockOptionsError(`${source} must be true or false, got "${raw}".`);
}

export function parseMockOptions(argv: readonly string[], env: Env = {}): MockOptions {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below, assigned inside try
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        dynamic: { type: "boolean" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    // parseArgs explains the problem ("Unknown option '--prot'"); add what to do about it.
    throw new MockOptionsError(`${(error as Error).message}. Run with --help to see the options.`);
  }

  const port =
    values.port !== undefined
      ? parsePort(values.port, "--port")
      : env.MOCK_PORT
        ? parsePort(env.MOCK_PORT, "MOCK_PORT")
        : DEFAULT_PORT;
  const host = (values.host ?? env.MOCK_HOST ?? DEFAULT_HOST).trim();
  if (host === "")
    throw new MockOptionsError("--host / MOCK_HOST must not be empty; use 127.0.0.1 for this machine only.");

  return {
    host,
    port,
    dynamic: values.dynamic ?? parseBoolean(env.MOCK_DYNAMIC, "MOCK_DYNAMIC") ?? false,
    quiet: values.quiet ?? parseBoolean(env.MOCK_QUIET, "MOCK_QUIET") ?? false,
    help: values.help ?? false,
  };
}
