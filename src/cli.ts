#!/usr/bin/env node
// `hai-webhook-rotate`: rotate a webhook's signing secret from a shell, storing the new secret in a
// secrets file (src/secrets-file.ts) before saying it is done.
//
// The rule everything here serves: the platform returns the new secret once, and rotating is not
// idempotent. So the request is sent at most once, the secret is written to the file before success is
// reported, and if it cannot be written it is printed rather than lost. Human messages go to standard
// error; standard output carries only data (the secret with --print or when it could not be stored; the
// webhook for `get`), so it can be piped. The API key is never printed: this file never reads it, the
// client does.
import { access, constants, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type CallOutcome, HaiAgentsClient, isHaiAgentsError } from "./index.js";
import { appendSecret, readSecretsFile, retireSecrets, SecretsFileError } from "./secrets-file.js";

const NAME = "hai-webhook-rotate";

// Exit statuses. Scripts branch on them, so each one means exactly one thing; `--help` and the README
// list them from here.
const EXIT = {
  rotated: 0,
  usage: 2,
  rejected: 3,
  unknown: 4,
  notStored: 5,
  secretLost: 6,
} as const;

const EXIT_HELP = `Exit status:
  0  done (rotate: rotated, and the new secret is stored in the secrets file)
  1  unexpected failure of this program (a bug: please report it)
  2  nothing was sent: usage or configuration error, unusable secrets file, or the API unreachable
  3  refused by the API (401, 404, 422, or a redirect): nothing was rotated
  4  outcome unknown (timeout, connection lost, 5xx): check whether deliveries verify before rotating again
  5  rotated, but the secret could not be stored: it was printed on standard output instead; store it now
  6  rotated, but the new secret was not received (cut or unreadable answer): rotate again`;

const ENV_HELP = `Environment:
  HAI_API_KEY   your platform API key (hk-...); never printed
  HAI_BASE_URL  API origin (default: the Europe region); e.g. http://127.0.0.1:4010 for the mock server`;

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
<path> (created with mode 0600 if absent; written atomically). A receiver that reads that file trusts the
old and the new secret from that moment.

Options:
  --secrets-file <path>   file of trusted secrets, one per line, oldest first (required)
  --print                 also print the new secret on standard output (it is never printed otherwise)
  --timeout <seconds>     how long to wait for the answer (default 60)
  --lock-wait <seconds>   how long to wait for another rotate or retire changing the file (default 10)
  -h, --help              show this help

${ENV_HELP}

${EXIT_HELP}`;

const RETIRE_HELP = `Usage: ${NAME} retire --secrets-file <path> [--keep <n>] [--lock-wait <seconds>]

Drops all but the newest <n> secrets from the file (default 1), once deliveries verify with the new secret.

Options:
  --secrets-file <path>   file of trusted secrets, one per line, oldest first (required)
  --keep <n>              how many of the newest secrets to keep (default 1, at least 1)
  --lock-wait <seconds>   how long to wait for another rotate or retire changing the file (default 10)
  -h, --help              show this help

Exit status: 0 done; 2 usage error, or the file could not be read or written (it was not changed).`;

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

/**
 * A mistake in how the command was called (`command` set: its help is pointed to), or a local problem
 * found before anything was sent (`command` null: the message says what to do).
 */
class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command | null,
  ) {
    super(/[.!?]$/.test(message) ? message : `${message}.`);
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);
// One line per message, whatever the error held.
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ").trim();

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "rotate":
      return rotate(rest);
    case "retire":
      return retire(rest);
    case "get":
      return get(rest);
    case "ping":
      return ping(rest);
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(`${MAIN_HELP}\n`);
      return 0;
    case undefined:
      throw new UsageError("no command given.");
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command.slice(0, 40))}.`);
  }
}

type Values = Record<string, string | boolean | undefined>;

// Shared by every command: strict parsing, `-h`/`--help`, and the webhook id as the only positional
// argument where the command takes one. `help` is true when the help was asked for (and printed).
function parse(args: string[], command: Command, options: ParseArgsConfig["options"]) {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] };
  } catch (error) {
    // parseArgs names the option, never the value that followed it.
    throw new UsageError(oneLine((error as Error).message), command);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return { help: true, values, id: "" };
  }
  const wantsId = command !== "retire";
  if (positionals.length !== (wantsId ? 1 : 0)) {
    // Not echoed: a stray argument is sometimes a pasted secret.
    throw new UsageError(
      wantsId
        ? `expected one webhook id, got ${positionals.length} arguments.`
        : `this command takes no arguments, got ${positionals.length}.`,
      command,
    );
  }
  return { help: false, values, id: positionals[0] ?? "" };
}

function timeoutOption(value: string | boolean | undefined, command: Command): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError("--timeout must be a positive number of seconds.", command);
  return seconds;
}

function lockWaitOption(value: string | boolean | undefined, command: Command): { lockWaitMs?: number } {
  if (value === undefined) return {};
  const seconds = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !(seconds >= 0 && seconds <= 86_400))
    throw new UsageError("--lock-wait must be a number of seconds from 0 to 86400.", command);
  return { lockWaitMs: seconds * 1000 };
}

function secretsFileOption(value: string | boolean | undefined, command: Command): string {
  if (typeof value !== "string" || value === "")
    throw new UsageError("--secrets-file <path> is required: the file of trusted secrets.", command);
  return value;
}

// ---------------------------------------------------------------------------------------------------
// rotate

async function rotate(args: string[]): Promise<number> {
  const { help, values, id } = parse(args, "rotate", {
    "secrets-file": { type: "string" },
    print: { type: "boolean" },
    timeout: { type: "string" },
    "lock-wait": { type: "string" },
  });
  if (help) return 0;
  const path = secretsFileOption(values["secrets-file"], "rotate");
  const timeoutInSeconds = timeoutOption(values.timeout, "rotate");
  const lockWait = lockWaitOption(values["lock-wait"], "rotate");
  const before = await checkSecretsFileIsUsable(path);

  const client = new HaiAgentsClient(timeoutInSeconds === undefined ? {} : { timeoutInSeconds });
  const guard = guardAgainstInterruption();
  let secret: string;
  try {
    secret = (await client.webhooks.rotateWebhookSecret({ webhookId: id })).secret;
  } catch (error) {
    guard.release();
    return reportFailedCall(error, "rotate");
  }

  // Rotated. From here on the only thing that matters is not losing `secret`.
  guard.storing();
  try {
    await appendSecret(path, secret, lockWait);
    // Success is reported from what a receiver will read, not from what we meant to write.
    const stored = await readSecretsFile(path);
    if (stored.at(-1) !== secret)
      throw new Error(`${path} does not end with the new secret after writing it`);
    say(
      `Rotated the signing secret of webhook ${id} and stored it as the last of ${stored.length} ` +
        `secret${stored.length === 1 ? "" : "s"} in ${path}.`,
    );
    if (before === undefined)
      say(
        `${path} did not exist: it now holds only the new secret, so a receiver reading it trusts only that.`,
      );
    say(`When deliveries verify with the new secret, run: ${NAME} retire --secrets-file ${path}`);
    if (values.print) process.stdout.write(`${secret}\n`);
    return EXIT.rotated;
  } catch (error) {
    process.stdout.write(`${secret}\n`);
    const reason = oneLine(error instanceof Error ? error.message : String(error));
    say(`WARNING: THE SECRET OF WEBHOOK ${id} WAS ROTATED, BUT IT COULD NOT BE STORED IN ${path}: ${reason}`);
    say(
      "WARNING: the new secret is printed above on standard output and cannot be fetched again. Add it now " +
        `as the last line of ${path} (or wherever your receiver reads secrets); until then deliveries fail to verify.`,
    );
    return EXIT.notStored;
  } finally {
    guard.release();
  }
}

/**
 * Finds the problems that would make storing fail after the rotation, while nothing has been sent yet.
 * Returns how many secrets the file holds, or `undefined` when it does not exist yet.
 */
async function checkSecretsFileIsUsable(path: string): Promise<number | undefined> {
  const folder = dirname(resolve(path));
  const problem = await stat(folder).then(
    (info) => (info.isDirectory() ? undefined : "is not a folder"),
    (error: NodeJS.ErrnoException) =>
      error.code === "ENOENT" ? "does not exist" : `cannot be reached by this user (${error.code})`,
  );
  if (problem)
    throw new UsageError(
      `the folder of --secrets-file (${folder}) ${problem}. Fix that first; nothing was sent.`,
      null,
    );
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new UsageError(
      `cannot write in ${folder}, the folder of --secrets-file. Check its permissions; nothing was sent.`,
      null,
    );
  }
  try {
    return (await readSecretsFile(path)).length;
  } catch (error) {
    if (error instanceof SecretsFileError && error.code === "missing") return undefined;
    throw new UsageError(`${oneLine((error as Error).message)} Nothing was sent.`, null);
  }
}

/**
 * Ctrl-C or SIGTERM while the request is out would throw away an answer that may carry the only copy of
 * the new secret: the first one only warns. A second one while waiting gives up (outcome unknown); while
 * storing, signals wait until the secret is safe.
 */
function guardAgainstInterruption() {
  let storing = false;
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (storing) {
      say("Storing the new secret; stopping as soon as it is safe.");
    } else if (signals === 1) {
      say("Waiting for the answer so the new secret is not lost. Press Ctrl-C again to stop waiting.");
    } else {
      say(
        "error (outcome unknown: check before rotating again): stopped waiting for the answer. The secret " +
          "may have been rotated; check whether deliveries still verify with the secrets you hold.",
      );
      process.exit(EXIT.unknown);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    storing: () => {
      storing = true;
    },
    release: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// retire

async function retire(args: string[]): Promise<number> {
  const { help, values } = parse(args, "retire", {
    "secrets-file": { type: "string" },
    keep: { type: "string", default: "1" },
    "lock-wait": { type: "string" },
  });
  if (help) return 0;
  const path = secretsFileOption(values["secrets-file"], "retire");
  const lockWait = lockWaitOption(values["lock-wait"], "retire");
  const keepText = String(values.keep);
  if (!/^[1-9][0-9]{0,5}$/.test(keepText))
    throw new UsageError("--keep must be a whole number of at least 1.", "retire");
  try {
    const { kept, removed } = await retireSecrets(path, Number(keepText), lockWait);
    say(
      removed === 0
        ? `Nothing to retire: ${path} holds ${kept} secret${kept === 1 ? "" : "s"}.`
        : `Removed the ${removed} oldest secret${removed === 1 ? "" : "s"} from ${path}; it keeps the newest ${kept}.`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof SecretsFileError)) throw error;
    throw new UsageError(oneLine(error.message), null);
  }
}

// ---------------------------------------------------------------------------------------------------
// get and ping: what to check before rotating again after an unknown outcome, and a test delivery

async function get(args: string[]): Promise<number> {
  const { help, values, id } = parse(args, "get", { timeout: { type: "string" } });
  if (help) return 0;
  const timeoutInSeconds = timeoutOption(values.timeout, "get");
  const client = new HaiAgentsClient(timeoutInSeconds === undefined ? {} : { timeoutInSeconds });
  try {
    const webhook = await client.webhooks.getWebhook({ webhookId: id });
    process.stdout.write(`${JSON.stringify(webhook, null, 2)}\n`);
    return 0;
  } catch (error) {
    return reportFailedCall(error, "get");
  }
}

async function ping(args: string[]): Promise<number> {
  const { help, values, id } = parse(args, "ping", { timeout: { type: "string" } });
  if (help) return 0;
  const timeoutInSeconds = timeoutOption(values.timeout, "ping");
  const client = new HaiAgentsClient(timeoutInSeconds === undefined ? {} : { timeoutInSeconds });
  try {
    const { responseStatus } = await client.webhooks.pingWebhook({ webhookId: id });
    say(`Test delivery sent to webhook ${id}; your receiver answered HTTP ${responseStatus}.`);
    return 0;
  } catch (error) {
    return reportFailedCall(error, "ping");
  }
}

// ---------------------------------------------------------------------------------------------------
// failures

/** One line saying what happened to the webhook and what to do; the exit status that goes with it. */
function reportFailedCall(error: unknown, command: "rotate" | Exclude<Command, "retire">): number {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  // Anything that is not one of the client's errors happened somewhere we cannot see: assume it was sent.
  const outcome: CallOutcome = isHaiAgentsError(error) ? error.outcome : "unknown";
  if (command !== "rotate") {
    const [label, status] =
      outcome === "not_sent"
        ? ["nothing was sent", EXIT.usage]
        : outcome === "rejected"
          ? ["refused", EXIT.rejected]
          : ["no usable answer", EXIT.unknown];
    say(`error (${label}): ${message}`);
    return status;
  }
  switch (outcome) {
    case "not_sent":
      say(`error (nothing was sent): ${message}`);
      return EXIT.usage;
    case "rejected":
      say(`error (not rotated): ${message}`);
      return EXIT.rejected;
    case "unknown":
      say(
        `error (outcome unknown: check before rotating again; the secrets file was not changed): ${message}`,
      );
      return EXIT.unknown;
    case "secret_lost":
      say(`error (rotated, but the new secret was not received: rotate again now): ${message}`);
      return EXIT.secretLost;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      const hint =
        error.command === null ? "" : ` Run \`${NAME}${error.command ? ` ${error.command}` : ""} --help\`.`;
      say(`error: ${error.message}${hint}`);
      process.exitCode = EXIT.usage;
    } else if (isHaiAgentsError(error)) {
      // The client's constructor refused its configuration: nothing was sent.
      say(`error (nothing was sent): ${oneLine(error.message)}`);
      process.exitCode = EXIT.usage;
    } else {
      say(
        `error (unexpected, please report it): ${oneLine(error instanceof Error ? error.message : String(error))}`,
      );
      process.exitCode = 1;
    }
  },
);
