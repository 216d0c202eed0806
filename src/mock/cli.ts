#!/usr/bin/env node
// `npm start`: read the options, serve the spec (server.ts), print the cheat sheet, log requests, stop
// cleanly on Ctrl-C. The server runs in this process (no child to orphan), so stopping this process
// stops everything.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type MockOperation, specInfo } from "../mock-engine.js";
import {
  SANDBOX_FLAGS,
  SANDBOX_USAGE,
  Sandbox,
  SandboxOptionsError,
  type SandboxSettings,
  sandboxCheatSheet,
  sandboxHandler,
  sandboxSettings,
} from "./sandbox.js";
import { type RunningMockServer, startMockServer } from "./server.js";
import { DeliveryTimeline } from "./timeline.js";
import { PAGE_ROUTE, withLivePage } from "./timeline-page.js";

// ---------------------------------------------------------------------------------------------------
// Options: flags win over MOCK_* environment variables.

export interface MockOptions {
  host: string;
  /** 0 picks a free port; the URL actually bound is printed. */
  port: number;
  /** Answer every 200 with a freshly generated secret, as if `Prefer: dynamic=true` were always sent. */
  dynamic: boolean;
  /** Print one line saying where the mock listens: no cheat sheet, no request log. */
  quiet: boolean;
  /** Host names besides this machine's under which the sandbox may be reached (its Host check). */
  allowedHosts: string[];
  help: boolean;
  /** The rotation sandbox's settings when a receiver is given (src/mock/sandbox.ts). */
  sandbox: SandboxSettings | undefined;
}

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 4010;

const USAGE = `Usage: npm start -- [options]    (or: node src/mock/start.mjs [options])

Serves the spec (generated/openapi.json), answering from its examples.

Options:
  -p, --port <n>   Port to listen on (env MOCK_PORT, default ${DEFAULT_PORT}; 0 picks a free one)
      --host <h>   Interface to bind (env MOCK_HOST, default ${DEFAULT_HOST})
      --dynamic    Fresh whsec_ secret in every 200 (env MOCK_DYNAMIC=true); per request: Prefer: dynamic=true
  -q, --quiet      Print only where the mock listens: no cheat sheet, no request log (env MOCK_QUIET=true)
      --allowed-hosts <a,b>
                   With the sandbox, answer these Host names too, besides this machine's loopback
                   names (env MOCK_ALLOWED_HOSTS)
  -h, --help       Show this help

${SANDBOX_USAGE}`;

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
        "allowed-hosts": { type: "string" },
        ...SANDBOX_FLAGS,
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
    allowedHosts: (values["allowed-hosts"] ?? env.MOCK_ALLOWED_HOSTS ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
    sandbox: sandboxFrom(values, env),
  };
}

function sandboxFrom(values: Parameters<typeof sandboxSettings>[0], env: Env): SandboxSettings | undefined {
  try {
    return sandboxSettings(values, env);
  } catch (error) {
    if (error instanceof SandboxOptionsError) throw new MockOptionsError(error.message);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// The cheat sheet: where the mock listens and, per operation, a curl line for every documented status.
// Ids, statuses and example names are read from the loaded spec, so the sheet cannot drift from it.

/** A well-formed UUID that is deliberately not a documented example: the mock answers 404 for it. */
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const SAMPLE_TOKEN = "hk-test";

const fillPath = (template: string, values: Record<string, string>) =>
  template.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? `{${name}}`);

/** A value the spec calls invalid for a path parameter: the `input` of the 422 example if it has one. */
function invalidPathValue(operation: MockOperation): string {
  for (const example of operation.responses.get("422")?.examples.values() ?? []) {
    const detail = (example as { detail?: Array<{ input?: unknown }> } | undefined)?.detail;
    const input = Array.isArray(detail) ? detail[0]?.input : undefined;
    if (typeof input === "string" && /^[\w.-]+$/.test(input)) return input; // safe to paste into a path
  }
  return "not-a-uuid";
}

function operationSection(operation: MockOperation, url: string): string[] {
  const documented = operation.parameters.filter((parameter) => parameter.known.length > 0);
  const known = Object.fromEntries(documented.map(({ name, known }) => [name, known[0] ?? ""]));
  const unknown = Object.fromEntries(documented.map(({ name }) => [name, UNKNOWN_ID]));
  const invalid = Object.fromEntries(documented.map(({ name }) => [name, invalidPathValue(operation)]));
  const auth = operation.bearer ? ` -H "Authorization: Bearer ${SAMPLE_TOKEN}"` : "";
  const curl = (values: Record<string, string>, extra = auth) =>
    `curl -X ${operation.method} ${url}${fillPath(operation.path, values)}${extra}`;

  const id = operation.operationId ? `  (${operation.operationId})` : "";
  const lines = [`${operation.method} ${operation.path}${id}`];
  for (const { name, known: values } of documented) {
    lines.push(`  Documented ${name}: ${values.join(", ")}  (any other well-formed value answers 404)`);
  }
  lines.push("");
  const codes = [...operation.responses.keys()];
  for (const code of codes) {
    let command: string;
    if (/^2\d\d$/.test(code)) command = curl(known);
    else if (code === "401" && operation.bearer)
      command = `${curl(known, "")}            # no Authorization header`;
    else if (code === "404" && documented.length > 0) command = curl(unknown);
    else if (code === "422" && documented.length > 0) command = curl(invalid);
    else command = `${curl(known)} -H "Prefer: code=${code}"`;
    lines.push(`  ${code}  ${command}`);
  }
  const success = codes.find((code) => /^2\d\d$/.test(code));
  const otherExamples = [...(operation.responses.get(success ?? "")?.examples.keys() ?? [])].slice(1);
  const firstError = codes.find((code) => !/^2\d\d$/.test(code));
  lines.push("");
  if (firstError)
    lines.push(
      `  Any documented status on demand:  -H "Prefer: code=${firstError}"   (or ?__code=${firstError})`,
    );
  for (const key of otherExamples) lines.push(`  Another ${success} example:  -H "Prefer: example=${key}"`);
  return lines;
}

function renderCheatSheet(server: RunningMockServer, dynamic: boolean, sandbox: boolean): string {
  const info = specInfo();
  const lines = [
    `Mock server for "${info.title}" ${info.version}, powered by Prism`,
    `  Listening on ${server.url}   (Ctrl-C to stop)`,
    "",
  ];
  for (const operation of server.operations) lines.push(...operationSection(operation, server.url), "");
  lines.push(
    `  Fresh secret per call:  -H "Prefer: dynamic=true"   (currently ${dynamic ? "on for every call (--dynamic)" : "off; start with --dynamic to make it the default"})`,
    '  A status or example the spec lacks answers 412 with an "X-Mock-Error" header, never an API answer.',
    sandbox
      ? "  Sandbox: only this machine may drive it (Host and Origin checked; --allowed-hosts adds names)."
      : "  CORS: any origin is allowed and preflight requests are answered.",
    "  Requests are logged below, one line each (headers are never printed).",
  );
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// The process

/** Why the server could not listen, and what to change. */
function explainListenFailure(error: NodeJS.ErrnoException, host: string, port: number): string {
  if (error.code === "EADDRINUSE") {
    return (
      `Port ${port} on ${host} is already in use (is another mock still running?). ` +
      "Stop it, or pick another port with --port <n> or MOCK_PORT."
    );
  }
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return `Cannot listen on host "${host}": it is not an address of this machine. Use 127.0.0.1 (the default).`;
  }
  return `Not allowed to listen on port ${port}; use a port above 1023.`;
}

// After a first Ctrl-C, open keep-alive connections get this long to finish before we exit anyway.
const SHUTDOWN_GRACE_MS = 2000;
const PARENT_CHECK_MS = 500;

async function main(argv: readonly string[]): Promise<number> {
  const options = parseMockOptions(argv, process.env);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  // Installed before anything is printed, so a Ctrl-C right after the URL appears is still clean.
  let server: RunningMockServer | undefined;
  let stopping = false;
  const stop = (reason: string, immediateExitCode: number) => {
    // A second Ctrl-C, or a signal before the server exists: stop now.
    if (stopping || !server) process.exit(immediateExitCode);
    stopping = true;
    console.log(`\n${reason}, stopping the mock server.`);
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on("SIGINT", () => stop("SIGINT received", 130));
  process.on("SIGTERM", () => stop("SIGTERM received", 143));
  // `npm start` runs us under `sh -c`; a process manager's SIGTERM to npm reaches that shell but not us.
  // When the parent goes away, so do we, rather than linger as an orphan holding the port.
  if (process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    setInterval(
      () => process.ppid !== parent && stop("Parent process (npm) exited", 0),
      PARENT_CHECK_MS,
    ).unref();
  }

  const log = options.quiet ? undefined : (line: string) => console.log(line);
  const sandbox = options.sandbox && new Sandbox({ ...options.sandbox, log });
  const live = sandbox && withLivePage(sandboxHandler(sandbox), new DeliveryTimeline(sandbox), SAMPLE_TOKEN);
  try {
    server = await startMockServer({
      stateful: live,
      host: options.host,
      port: options.port,
      dynamic: options.dynamic,
      log,
      // The sandbox rotates and signs for real: only this machine may drive it (see docs/guides/mock.md).
      allowedHosts: sandbox ? options.allowedHosts : undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (!["EADDRINUSE", "EADDRNOTAVAIL", "ENOTFOUND", "EACCES"].includes(code)) throw error;
    throw new Error(explainListenFailure(error as NodeJS.ErrnoException, options.host, options.port));
  }
  if (options.quiet) {
    const mode = sandbox
      ? `sandbox ON, live page ${server.url}${PAGE_ROUTE}`
      : options.dynamic
        ? "dynamic secrets"
        : "spec examples";
    console.log(
      `Listening on ${server.url}  (${mode}; --quiet: no cheat sheet, no request log; Ctrl-C to stop)`,
    );
  } else console.log(renderCheatSheet(server, options.dynamic, sandbox !== undefined));
  if (sandbox && options.sandbox) {
    if (!options.quiet) {
      console.log(`\n${sandboxCheatSheet(options.sandbox, server.url)}`);
      console.log(`  Watch it live:     ${server.url}${PAGE_ROUTE}   (open in a browser on this machine)`);
    }
    // Its timers are unref'd: stopping exits the process, which ends the stream and pending retries.
    if (options.sandbox.eventsEvery !== undefined) sandbox.streamEvents(options.sandbox.eventsEvery);
  }
  if (!["127.0.0.1", "localhost", "::1"].includes(options.host)) {
    console.log(`\nWarning: listening on ${options.host}, so other machines may reach this mock.`);
  }
  return -1; // keep running
}

/** Runs the mock as `npm start` does; resolves once it is serving (or has printed why not). */
export function runCli(argv: readonly string[]): Promise<void> {
  return main(argv).then(
    (code) => {
      if (code >= 0) process.exitCode = code;
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Mock server not started: ${message}`);
      if (error instanceof MockOptionsError) console.error(`\n${USAGE}`);
      process.exitCode = error instanceof MockOptionsError ? 2 : 1;
    },
  );
}

// Run only as the program, so that tests can import the option parser without starting a server.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void runCli(process.argv.slice(2));
}
