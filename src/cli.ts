// `hai-webhook-rotate`: rotate a webhook's signing secret from a shell, storing the new secret in a
// secrets file (src/secrets-file.ts) before saying it is done. `main` is the whole command, called with
// its arguments, environment, output streams and transport; src/bin.ts is the executable that calls it.
//
// The rule everything here serves: the platform returns the new secret once, and rotating is not
// idempotent. So the request is sent at most once; everything that could make storing fail is checked
// before it is sent; once it is sent, signals wait for the answer; the secret is written to the file
// before success is reported; and if it cannot be, it is saved to a rescue file and printed rather than
// lost. Human messages go to standard error; standard output carries only data (the secret with --print
// or when it could not be stored; the webhook for `get`). Neither ever shows the API key, nor an argument
// this command did not recognise (it may be a pasted secret).
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import type { Writable } from "node:stream";
import { type ParseArgsConfig, parseArgs } from "node:util";
import {
  API_KEY_ENV,
  BASE_URL_ENV,
  type CallOutcome,
  type FetchLike,
  HaiAgentsClient,
  HaiAgentsConfigurationError,
  HaiAgentsEnvironment,
  isHaiAgentsError,
} from "./index.js";
import {
  appendSecret,
  checkSecretsFile,
  readSecretsFile,
  retireSecrets,
  SecretsFileError,
  type SecretsFileOptions,
} from "./secrets-file.js";

const NAME = "hai-webhook-rotate";

/** Exit statuses. Scripts branch on them, so each means exactly one thing; help and docs list them from here. */
export const EXIT = {
  done: 0,
  bug: 1,
  notSent: 2,
  refused: 3,
  unknown: 4,
  notStored: 5,
  secretLost: 6,
  unusableSecret: 7,
} as const;

/** What each exit status tells the operator, and what to do next. */
export const EXIT_MEANINGS: Readonly<Record<keyof typeof EXIT, string>> = {
  done: "done (rotate: rotated, and the new secret is stored in the secrets file)",
  bug: "unexpected failure of this program (a bug: please report it)",
  notSent:
    "nothing was sent: usage or configuration error, unsafe or unusable secrets file, or the API unreachable",
  refused: "refused by the API (401, 404, 422, or a redirect): nothing was rotated",
  unknown:
    "outcome unknown (timeout, connection lost, 5xx): check whether deliveries verify before rotating again",
  notStored:
    "rotated, but the secret could not be stored: it is in a rescue file and on standard output; store it now",
  secretLost: "rotated, but the new secret was not received (cut or unreadable answer): rotate again",
  unusableSecret:
    "rotated, but the new secret is unusable (whitespace or control characters): not stored; rotate again",
};

const EXIT_HELP = `Exit status:\n${Object.entries(EXIT)
  .map(([name, code]) => `  ${code}  ${EXIT_MEANINGS[name as keyof typeof EXIT]}`)
  .join("\n")}`;

const ENV_HELP = `Environment:
  ${API_KEY_ENV}   your platform API key (hk-...); never printed
  ${BASE_URL_ENV}  API origin (default: the Europe region); e.g. http://127.0.0.1:4010 for the mock server`;

const MAIN_HELP = `Usage: ${NAME} <command> [options]

Rotate a webhook's signing secret without ever losing the new one.

Commands:
  rotate <webhook-id> --secrets-file <path>   rotate once; append the new secret to the file
  retire --secrets-file <path> [--keep 1]     keep only the newest secrets in the file
  get <webhook-id>                            print the webhook (JSON, never the secret)
  ping <webhook-id>                           have the platform send a test delivery now

Run \`${NAME} <command> --help\` for a command's options.

A rotation in three steps:
  1. start your receiver reading the secrets file (it holds the current secret)
  2. ${NAME} rotate <webhook-id> --secrets-file ./webhook-secrets
  3. once deliveries verify with the new secret: ${NAME} retire --secrets-file ./webhook-secrets

${ENV_HELP}

${EXIT_HELP}`;

const ROTATE_HELP = `Usage: ${NAME} rotate <webhook-id> --secrets-file <path> [--print] [--timeout <seconds>]
       [--lock-wait <seconds>]

Rotates the webhook's signing secret once (never retried) and appends the new secret as the last line of
<path> (written atomically; a new file is created with mode 0600, an existing one keeps its owner, group
and mode). A receiver that reads that file trusts the old and the new secret from that moment.

Before sending anything, refuses a secrets file another user could read or change (owned by another
user, readable by others, a symlink others control), saying the chmod or chown to run. Once the request
is out, Ctrl-C, SIGTERM and a closed terminal wait for the answer (at most --timeout) and store it.

Options:
  --secrets-file <path>   file of trusted secrets, one per line, oldest first (required)
  --print                 also print the new secret on standard output (it is never printed otherwise)
  --timeout <seconds>     how long to wait for the answer (default 60)
  --lock-wait <seconds>   how long to wait for another rotate or retire changing the file (default 10)
  -h, --help              show this help

If the secret cannot be stored, it is saved in <path>.unstored-<time> (or ~/${NAME}-unstored-<time>)
and printed on standard output.

${ENV_HELP}

${EXIT_HELP}`;

const RETIRE_HELP = `Usage: ${NAME} retire --secrets-file <path> [--keep <n>] [--lock-wait <seconds>]

Drops all but the newest <n> secrets from the file (default 1), once deliveries verify with the new secret.

Options:
  --secrets-file <path>   file of trusted secrets, one per line, oldest first (required)
  --keep <n>              how many of the newest secrets to keep (default 1, at least 1)
  --lock-wait <seconds>   how long to wait for another rotate or retire changing the file (default 10)
  -h, --help              show this help

Exit status: 0 done; 2 usage error, or the file is unsafe or could not be read or written (not changed).`;

const GET_HELP = `Usage: ${NAME} get <webhook-id> [--timeout <seconds>]

Prints the webhook as JSON on standard output (never its secret). After an unknown outcome, its
lastSuccessAt and consecutiveFailures tell whether deliveries still verify with the secrets you hold.

${ENV_HELP}

Exit status: 0 done; 2 usage or configuration error (nothing sent); 3 refused by the API; 4 no usable answer.`;

const PING_HELP = `Usage: ${NAME} ping <webhook-id> [--timeout <seconds>]

Asks the platform to send a test delivery to the webhook's URL and prints the status your receiver answered.

${ENV_HELP}

Exit status: 0 your receiver answered; 2 usage or configuration error (nothing sent); 3 refused by the API
(including 502: your receiver could not be reached); 4 no usable answer.`;

const HELP = { rotate: ROTATE_HELP, retire: RETIRE_HELP, get: GET_HELP, ping: PING_HELP } as const;
type Command = keyof typeof HELP;

/** The signals that would otherwise end the process between "rotated" and "stored". */
const HELD_SIGNALS = ["SIGHUP", "SIGINT", "SIGTERM"] as const;

/** Everything the command reads from and writes to, so it can run as a process or be called in tests. */
export interface CliContext {
  /** The arguments after the program name. */
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: Writable;
  stderr: Writable;
  /** Transport for API calls (default: the global `fetch`). */
  fetch?: FetchLike;
  /** Where SIGHUP, SIGINT and SIGTERM arrive (default: `process`). */
  signals?: {
    on(signal: (typeof HELD_SIGNALS)[number], listener: (signal: string) => void): unknown;
    off(signal: (typeof HELD_SIGNALS)[number], listener: (signal: string) => void): unknown;
  };
  /** Folder for a rescue file when the secrets file's own folder takes none (default: the home folder). */
  home?: string;
}

/**
 * A mistake in how the command was called (`command` set: its help is pointed to), or a local problem
 * found before anything was sent (`command` null: the message says what to do).
 */
class UsageError extends Error {
  constructor(
    message: string,
    readonly command: Command | null = null,
  ) {
    super(/[.!?]$/.test(message) ? message : `${message}.`);
  }
}

// One line per message, whatever the error held.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();

/** A stream written to without ever throwing: a reader that went away (EPIPE) only makes writes fail. */
class Output {
  #broken = false;
  readonly #onError = () => {
    this.#broken = true;
  };
  constructor(readonly stream: Writable) {
    stream.on("error", this.#onError);
  }
  /** Resolves true once written, false if the stream is closed or failed. */
  write(text: string): Promise<boolean> {
    if (this.#broken || this.stream.destroyed || this.stream.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        this.stream.write(text, (error) => resolve(!error));
      } catch {
        resolve(false);
      }
    });
  }
  close() {
    this.stream.off("error", this.#onError);
  }
}

interface Run {
  env: CliContext["env"];
  out: Output;
  err: Output;
  fetch: FetchLike | undefined;
  signals: NonNullable<CliContext["signals"]>;
  home: string;
  say(line: string): void;
}

/** Runs the command; resolves with its exit status (one of {@link EXIT}). Never rejects. */
export async function main(context: CliContext): Promise<number> {
  const out = new Output(context.stdout);
  const err = new Output(context.stderr);
  const run: Run = {
    env: context.env,
    out,
    err,
    fetch: context.fetch,
    signals: context.signals ?? process,
    home: context.home ?? homedir(),
    say: (line) => void err.write(`${line}\n`),
  };
  try {
    return await dispatch(run, [...context.argv]);
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.command === null ? "" : ` Run \`${NAME} ${error.command} --help\`.`;
      run.say(`error: ${error.message}${hint}`);
      return EXIT.notSent;
    }
    run.say(`error (unexpected, please report it): ${oneLine(foreignMessage(run, error))}`);
    return EXIT.bug;
  } finally {
    // Let every message reach the stream before the caller exits.
    await err.write("");
    out.close();
    err.close();
  }
}

async function dispatch(run: Run, argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "rotate":
      return rotate(run, rest);
    case "retire":
      return retire(run, rest);
    case "get":
      return get(run, rest);
    case "ping":
      return ping(run, rest);
    case "-h":
    case "--help":
    case "help":
      await run.out.write(`${MAIN_HELP}\n`);
      return EXIT.done;
    case undefined:
      throw new UsageError(`no command given. Run \`${NAME} --help\``);
    default:
      // Not echoed: a key pasted in the wrong place lands here.
      throw new UsageError(
        "unknown command (not repeated here, in case it is a pasted secret): the commands are rotate, " +
          `retire, get and ping${suggestion(command, Object.keys(HELP))}`,
      );
  }
}

/** ", did you mean X?" when `given` is a near miss of one of `known` (one or two letters off), else "". */
function suggestion(given: string, known: readonly string[]): string {
  const near = known.find((name) => distance(given, name) <= 2);
  return near === undefined ? "" : `; did you mean ${near}?`;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1)
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

type Values = Record<string, string | boolean | undefined>;

// Shared by every command: strict parsing, `-h`/`--help`, and the webhook id as the only positional
// argument where the command takes one. `help` is true when the help was asked for (and printed).
async function parse(run: Run, args: string[], command: Command, options: ParseArgsConfig["options"]) {
  const all = { ...options, help: { type: "boolean", short: "h" } } as const;
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: all, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const given = args.find((arg) => arg.startsWith("-") && !isKnownOption(arg, all)) ?? "";
      throw new UsageError(
        `unknown option (not repeated here, in case it is a pasted secret)${suggestion(
          given.replace(/=.*/, ""),
          Object.keys(all).map((name) => `--${name}`),
        )}`,
        command,
      );
    }
    // parseArgs names a known option here (missing or unexpected value), never the value itself.
    throw new UsageError(oneLine((error as Error).message), command);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    await run.out.write(`${HELP[command]}\n`);
    return { help: true, values, id: "" };
  }
  const wantsId = command !== "retire";
  if (positionals.length !== (wantsId ? 1 : 0)) {
    // Not echoed: a stray argument is sometimes a pasted secret.
    throw new UsageError(
      wantsId
        ? `expected one webhook id, got ${positionals.length} arguments`
        : `this command takes no arguments, got ${positionals.length}`,
      command,
    );
  }
  return { help: false, values, id: positionals[0] ?? "" };
}

function isKnownOption(arg: string, options: NonNullable<ParseArgsConfig["options"]>): boolean {
  const name = arg.replace(/^--?/, "").replace(/=.*/, "");
  return Object.entries(options).some(([long, spec]) => long === name || spec.short === name);
}

function secretsFileOption(value: string | boolean | undefined, command: Command): string {
  if (typeof value !== "string" || value === "")
    throw new UsageError("--secrets-file <path> is required: the file of trusted secrets", command);
  return value;
}

// Seconds as text to numbers only; the library that uses each value is the one that checks its range.
const seconds = (value: string | boolean | undefined) =>
  typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;

function lockWaitOption(value: string | boolean | undefined): SecretsFileOptions {
  return value === undefined ? {} : { lockWaitMs: seconds(value) * 1000 };
}

/** The client for one command, its configuration taken from the environment given to `main`. */
function clientFor(run: Run, timeout: string | boolean | undefined) {
  const key = run.env[API_KEY_ENV];
  if (key === undefined || key === "")
    throw new UsageError(
      `no API key: set ${API_KEY_ENV} to your platform key (hk-...), for example \`export ${API_KEY_ENV}=hk-...\`. Nothing was sent`,
    );
  const transport = { used: false };
  const fetch: FetchLike = (...args) => {
    transport.used = true;
    return ((run.fetch ?? globalThis.fetch) as FetchLike)(...args);
  };
  try {
    const client = new HaiAgentsClient({
      token: key,
      baseUrl: run.env[BASE_URL_ENV] || HaiAgentsEnvironment.Eu,
      fetch,
      ...(timeout === undefined ? {} : { timeoutInSeconds: seconds(timeout) }),
    });
    return { webhooks: client.webhooks, transport };
  } catch (error) {
    throw configurationProblem(error) ?? error;
  }
}

/** A client configuration error in this command's words (it names options and variables, not fields). */
function configurationProblem(error: unknown): UsageError | undefined {
  if (!(error instanceof HaiAgentsConfigurationError)) return undefined;
  if (error.setting === "apiKey")
    return new UsageError(
      `the API key in ${API_KEY_ENV} cannot be sent: it has whitespace or characters an HTTP header cannot ` +
        "carry (a trailing newline, or an invisible character pasted with it). Set it again to the key alone. " +
        "Nothing was sent",
    );
  if (error.setting === "timeoutInSeconds")
    return new UsageError(
      "--timeout must be a number of seconds above 0 and at most 2147483 (about 24 days). Nothing was sent",
    );
  if (error.setting === "baseUrl")
    return new UsageError(`${BASE_URL_ENV} is not usable: ${oneLine(error.message)}`);
  return new UsageError(oneLine(error.message));
}

/** A secrets-file problem found before anything was sent, in this command's words. */
function fileProblem(error: unknown, nothingSent: boolean): unknown {
  if (!(error instanceof SecretsFileError)) return error;
  if (error.code === "invalid_lock_wait")
    return new UsageError("--lock-wait must be a number of seconds from 0 to 2147483 (about 24 days)");
  return new UsageError(`${oneLine(error.message)}${nothingSent ? " Nothing was sent." : ""}`);
}

// ---------------------------------------------------------------------------------------------------
// rotate

async function rotate(run: Run, args: string[]): Promise<number> {
  const { help, values, id } = await parse(run, args, "rotate", {
    "secrets-file": { type: "string" },
    print: { type: "boolean" },
    timeout: { type: "string" },
    "lock-wait": { type: "string" },
  });
  if (help) return EXIT.done;
  const path = secretsFileOption(values["secrets-file"], "rotate");
  const lockWait = lockWaitOption(values["lock-wait"]);
  const client = clientFor(run, values.timeout);
  // Everything that would make storing fail is checked while it costs nothing.
  const before = await checkSecretsFile(path, lockWait).catch((error: unknown) => {
    throw fileProblem(error, true);
  });

  const release = holdSignals(run);
  try {
    let secret: string;
    try {
      secret = (await client.webhooks.rotateWebhookSecret({ webhookId: id })).secret;
    } catch (error) {
      return reportFailedCall(run, error, client.transport.used, "rotate");
    }
    // Rotated. From here on the only thing that matters is not losing `secret`.
    return await store(run, {
      id,
      path,
      secret,
      lockWait,
      created: before.secrets === undefined,
      print: values.print === true,
    });
  } finally {
    release();
  }
}

async function store(
  run: Run,
  rotated: {
    id: string;
    path: string;
    secret: string;
    lockWait: SecretsFileOptions;
    created: boolean;
    print: boolean;
  },
): Promise<number> {
  const { id, path, secret } = rotated;
  try {
    await appendSecret(path, secret, rotated.lockWait);
    // Success is reported from what a receiver will read, not from what we meant to write. Another run
    // may have appended a newer secret since; ours only has to be there.
    const stored = await readSecretsFile(path);
    if (!stored.includes(secret)) throw new Error(`${path} does not hold the new secret after writing it`);
    const count = `${stored.length} secret${stored.length === 1 ? "" : "s"}`;
    run.say(
      stored.at(-1) === secret
        ? `Rotated the signing secret of webhook ${id} and stored it as the last of ${count} in ${path}.`
        : `Rotated the signing secret of webhook ${id} and stored it in ${path} (${count}; another rotation ` +
            "has appended a newer one since).",
    );
    if (rotated.created)
      run.say(
        `${path} did not exist: it now holds only the new secret, so a receiver reading it trusts only that.`,
      );
    run.say(`When deliveries verify with the new secret, run: ${NAME} retire --secrets-file ${path}`);
    if (rotated.print && !(await run.out.write(`${secret}\n`)))
      run.say("Could not print the new secret (standard output is closed); it is stored in the file.");
    return EXIT.done;
  } catch (error) {
    if (error instanceof SecretsFileError && error.code === "invalid_secret") {
      run.say(
        `error (rotated, but the new secret is unusable): webhook ${id} was rotated, but the secret it returned ` +
          "holds whitespace or control characters, which no receiver can use; it was not stored or shown. " +
          `Deliveries are now signed with it and fail to verify: rotate again now (${NAME} rotate ${id} ` +
          `--secrets-file ${path}), and report it to H Company support if it happens again.`,
      );
      return EXIT.unusableSecret;
    }
    return rescue(run, rotated, oneLine(error instanceof Error ? error.message : String(error)));
  }
}

/**
 * The secret could not be stored: save it to a rescue file (which survives a closed terminal) and print
 * it on standard output. Both are tried; the messages say which worked.
 */
async function rescue(
  run: Run,
  { id, path, secret }: { id: string; path: string; secret: string },
  reason: string,
) {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const candidates = [`${path}.unstored-${stamp}`, join(run.home, `${NAME}-unstored-${stamp}`)];
  let saved: string | undefined;
  for (const candidate of candidates) {
    try {
      await writeFile(candidate, `${secret}\n`, { flag: "wx", mode: 0o600 });
      saved = candidate;
      break;
    } catch {
      // the next place
    }
  }
  const printed = await run.out.write(`${secret}\n`);
  run.say(
    `WARNING: THE SECRET OF WEBHOOK ${id} WAS ROTATED, BUT IT COULD NOT BE STORED IN ${path}: ${reason}`,
  );
  const where = [
    ...(saved ? [`saved in ${saved} (mode 0600)`] : []),
    ...(printed ? ["printed above on standard output"] : []),
  ];
  if (where.length === 0) {
    // Nowhere else is left: the secret on standard error beats a secret lost.
    await run.err.write(`${secret}\n`);
    run.say("WARNING: no file could be written and standard output is closed: the secret is the line above.");
  } else {
    run.say(`WARNING: the new secret is ${where.join(" and ")}; it cannot be fetched again.`);
  }
  run.say(
    `WARNING: add it now as the last line of ${path}` +
      (saved ? ` (\`cat ${saved} >> ${path}\`), then delete ${basename(saved)}` : "") +
      "; until then deliveries fail to verify.",
  );
  return EXIT.notStored;
}

/**
 * While the request is out and the secret is being stored, SIGHUP (a dropped SSH session), Ctrl-C and
 * SIGTERM would throw away an answer that may carry the only copy of the new secret. They are held: the
 * answer is awaited (for at most --timeout), the secret stored or rescued, and the exit status tells what
 * happened. Returns the function that stops holding them.
 */
function holdSignals(run: Run): () => void {
  let told = false;
  const onSignal = (signal: string) => {
    if (told) return;
    told = true;
    run.say(
      `${signal} received: finishing first so the new secret is not lost (at most --timeout for the answer, ` +
        "then it is stored or saved to a rescue file).",
    );
  };
  for (const signal of HELD_SIGNALS) run.signals.on(signal, onSignal);
  return () => {
    for (const signal of HELD_SIGNALS) run.signals.off(signal, onSignal);
  };
}

// ---------------------------------------------------------------------------------------------------
// retire

async function retire(run: Run, args: string[]): Promise<number> {
  const { help, values } = await parse(run, args, "retire", {
    "secrets-file": { type: "string" },
    keep: { type: "string", default: "1" },
    "lock-wait": { type: "string" },
  });
  if (help) return EXIT.done;
  const path = secretsFileOption(values["secrets-file"], "retire");
  const keepText = String(values.keep);
  if (!/^[1-9][0-9]{0,5}$/.test(keepText))
    throw new UsageError("--keep must be a whole number of at least 1", "retire");
  try {
    const { kept, removed } = await retireSecrets(
      path,
      Number(keepText),
      lockWaitOption(values["lock-wait"]),
    );
    run.say(
      removed === 0
        ? `Nothing to retire: ${path} holds ${kept} secret${kept === 1 ? "" : "s"}.`
        : `Removed the ${removed} oldest secret${removed === 1 ? "" : "s"} from ${path}; it keeps the newest ${kept}.`,
    );
    return EXIT.done;
  } catch (error) {
    throw fileProblem(error, false);
  }
}

// ---------------------------------------------------------------------------------------------------
// get and ping: what to check before rotating again after an unknown outcome, and a test delivery

async function get(run: Run, args: string[]): Promise<number> {
  const { help, values, id } = await parse(run, args, "get", { timeout: { type: "string" } });
  if (help) return EXIT.done;
  const client = clientFor(run, values.timeout);
  try {
    const webhook = await client.webhooks.getWebhook({ webhookId: id });
    await run.out.write(`${JSON.stringify(webhook, null, 2)}\n`);
    return EXIT.done;
  } catch (error) {
    return reportFailedCall(run, error, client.transport.used, "get");
  }
}

async function ping(run: Run, args: string[]): Promise<number> {
  const { help, values, id } = await parse(run, args, "ping", { timeout: { type: "string" } });
  if (help) return EXIT.done;
  const client = clientFor(run, values.timeout);
  try {
    const { responseStatus } = await client.webhooks.pingWebhook({ webhookId: id });
    run.say(`Test delivery sent to webhook ${id}; your receiver answered HTTP ${responseStatus}.`);
    return EXIT.done;
  } catch (error) {
    return reportFailedCall(run, error, client.transport.used, "ping");
  }
}

// ---------------------------------------------------------------------------------------------------
// failures

/** An error from outside the client (a runtime's TypeError...) as one line, with the API key taken out. */
function foreignMessage(run: Run, error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const key = run.env[API_KEY_ENV];
  return key ? text.replaceAll(key, "[redacted]") : text;
}

/** One line saying what happened to the webhook and what to do; the exit status that goes with it. */
function reportFailedCall(
  run: Run,
  error: unknown,
  sent: boolean,
  command: Exclude<Command, "retire">,
): number {
  // Nothing reached the transport: whatever failed, the request cannot have left. Otherwise, anything that
  // is not one of the client's errors happened somewhere we cannot see: assume it was sent.
  const outcome: CallOutcome = !sent ? "not_sent" : isHaiAgentsError(error) ? error.outcome : "unknown";
  const problem = configurationProblem(error);
  let message: string;
  if (problem) message = problem.message;
  else if (isHaiAgentsError(error)) message = oneLine(error.message);
  else if (!sent && error instanceof TypeError)
    message =
      `the request could not be built (${oneLine(foreignMessage(run, error))}): a header value, most likely ` +
      `the API key in ${API_KEY_ENV}, holds a character HTTP cannot carry (often an invisible one pasted ` +
      "with it). Set it again to the key alone.";
  else message = oneLine(foreignMessage(run, error));

  const outcomes: Record<CallOutcome, [label: string, status: number]> = {
    not_sent: ["nothing was sent", EXIT.notSent],
    rejected: [command === "rotate" ? "not rotated" : "refused", EXIT.refused],
    unknown: [
      command === "rotate"
        ? "outcome unknown: check before rotating again; the secrets file was not changed"
        : "no usable answer",
      EXIT.unknown,
    ],
    secret_lost: ["rotated, but the new secret was not received: rotate again now", EXIT.secretLost],
  };
  const [label, status] = outcomes[outcome];
  run.say(`error (${label}): ${message}`);
  return status;
}
