#!/usr/bin/env node
// `npm run rehearse`: a rotation rehearsed end to end against your receiver, in traffic, with a report.
//
// Steps: start a sandbox signing with the secret the receiver already trusts (the newest line of the secrets
// file), stream events, rotate half-way through, append the new secret to the secrets file (after an optional
// simulated deploy delay), ping, keep streaming for a full tolerance window, retire the old secret, stream as
// long again on the new secret alone, let retries finish, then report what was sent, failed, recovered and lost.
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { appendSecret, readSecretsFile, retireSecrets, SecretsFileError } from "../secrets-file.js";
import { DEFAULT_TOLERANCE_SECONDS } from "../webhooks/index.js";
import {
  DEFAULT_ATTEMPT_TIMEOUT_S,
  DEFAULT_DISABLE_AFTER,
  DEFAULT_RETRY_DELAYS_S,
  type EventRecord,
  parseRetryDelays,
  SANDBOX_SECRET,
  Sandbox,
  SandboxOptionsError,
} from "./sandbox.js";

export interface RehearsalOptions {
  receiver: string;
  secretsFile: string;
  /** Seconds between events. */
  eventsEvery: number;
  /** Seconds of traffic before the rotation, and again after the old secret is retired. */
  warmUp: number;
  /** Seconds between the rotation and the new secret reaching the secrets file: how long your deploy takes. */
  deployDelay: number;
  /** Seconds to keep both secrets after the rotation before retiring the old one. */
  tolerance: number;
  retryDelays: readonly number[];
  disableAfter: number;
  attemptTimeout: number;
  quiet: boolean;
}

export const USAGE = `Usage: npm run rehearse -- --receiver <url> --secrets-file <path> [options]

Rehearses a secret rotation against your receiver: streams signed events, rotates half-way, appends the
new secret to the secrets file your receiver reads, pings, waits a tolerance window, retires the old secret,
and reports deliveries sent, failed, recovered by retries and lost. Exits 1 if any event was lost.

The sandbox starts signing with the newest secret in the file (or --secret); a missing file is created
holding the sandbox secret ${SANDBOX_SECRET} (a sandbox value, never a real one).

Options:
      --receiver <url>         Where deliveries go (env MOCK_RECEIVER)
      --secrets-file <path>    The file your receiver reads its trusted secrets from, oldest first
      --secret <whsec_...>     Secret to start with instead of the file's newest (env MOCK_SECRET)
      --events-every <s>       Seconds between events (default 1)
      --warm-up <s>            Traffic before the rotation and after the retirement (default 10)
      --deploy-delay <s>       Wait this long after rotating before writing the new secret (default 0)
      --tolerance <s>          Keep both secrets this long before retiring the old one (default ${DEFAULT_TOLERANCE_SECONDS})
      --retry-delays <list>    Seconds before each retry (default ${DEFAULT_RETRY_DELAYS_S.join(",")})
      --disable-after <n>      Consecutive lost events that disable the webhook (default ${DEFAULT_DISABLE_AFTER})
      --attempt-timeout <s>    Seconds an attempt may take (default ${DEFAULT_ATTEMPT_TIMEOUT_S})
  -q, --quiet                  Print the steps and the report, not one line per attempt
  -h, --help                   Show this help`;

type Env = Readonly<Record<string, string | undefined>>;

function seconds(raw: string | undefined, flag: string, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw.trim()))
    throw new SandboxOptionsError(`${flag} takes a number of seconds such as 2 or 0.5, got "${raw}".`);
  return Number(raw);
}

/** Reads the flags; `secret` is kept apart so it never sits in an object that gets printed. */
export function parseRehearsalOptions(
  argv: readonly string[],
  env: Env = {},
): { options: RehearsalOptions; secret: string | undefined; help: boolean } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        receiver: { type: "string" },
        "secrets-file": { type: "string" },
        secret: { type: "string" },
        "events-every": { type: "string" },
        "warm-up": { type: "string" },
        "deploy-delay": { type: "string" },
        tolerance: { type: "string" },
        "retry-delays": { type: "string" },
        "disable-after": { type: "string" },
        "attempt-timeout": { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new SandboxOptionsError(`${(error as Error).message}. Run with --help to see the options.`);
  }
  const text = (name: string) => values[name] as string | undefined;
  const receiver = text("receiver") ?? env.MOCK_RECEIVER;
  const secretsFile = text("secrets-file");
  const help = values.help === true;
  if (!help && (receiver === undefined || secretsFile === undefined))
    throw new SandboxOptionsError(
      "A rehearsal needs --receiver <url> (where your receiver listens) and --secrets-file <path> (the file it reads its secrets from).",
    );
  const disableAfter = text("disable-after") ?? String(DEFAULT_DISABLE_AFTER);
  if (!/^\d+$/.test(disableAfter))
    throw new SandboxOptionsError(`--disable-after takes a whole number, got "${disableAfter}".`);
  return {
    help,
    secret: text("secret") ?? env.MOCK_SECRET,
    options: {
      receiver: receiver ?? "",
      secretsFile: secretsFile ?? "",
      eventsEvery: seconds(text("events-every"), "--events-every", 1),
      warmUp: seconds(text("warm-up"), "--warm-up", 10),
      deployDelay: seconds(text("deploy-delay"), "--deploy-delay", 0),
      tolerance: seconds(text("tolerance"), "--tolerance", DEFAULT_TOLERANCE_SECONDS),
      retryDelays:
        text("retry-delays") === undefined
          ? DEFAULT_RETRY_DELAYS_S
          : parseRetryDelays(text("retry-delays") ?? ""),
      disableAfter: Number(disableAfter),
      attemptTimeout: seconds(text("attempt-timeout"), "--attempt-timeout", DEFAULT_ATTEMPT_TIMEOUT_S),
      quiet: values.quiet === true,
    },
  };
}

export interface RehearsalReport {
  sent: number;
  attempts: number;
  firstAttemptFailures: number;
  recoveredByRetries: number;
  lost: number;
  /** The receiver's status for the ping sent after the new secret was written, or why none came back. */
  ping: string;
  /** Seconds from the rotation to the first delivery accepted with the new secret; undefined if none was. */
  switchSeconds: number | undefined;
  /** Deliveries signed with the new secret that the receiver refused before it accepted one. */
  refusedWithNewSecret: number;
  disabled: boolean;
  oldSecretsRetired: number;
}

/** Runs the whole rehearsal. `say` gets the step lines; `log` the per-attempt lines. */
export async function rehearse(
  options: RehearsalOptions,
  startSecret: string | undefined,
  say: (line: string) => void,
  log?: (line: string) => void,
): Promise<RehearsalReport> {
  const secret = startSecret ?? (await currentSecret(options.secretsFile, say));
  const sandbox = new Sandbox({
    receiver: options.receiver,
    secret,
    retryDelays: options.retryDelays,
    disableAfter: options.disableAfter,
    attemptTimeout: options.attemptTimeout,
    log,
  });
  try {
    say(`1. streaming events to ${options.receiver} every ${options.eventsEvery} s, signed with secret #1`);
    sandbox.streamEvents(options.eventsEvery);
    await sleep(options.warmUp * 1000);

    const rotated = sandbox.rotate();
    const rotatedAt = sandbox.lastRotationAt ?? Date.now();
    say("2. rotated: every attempt from now on, retries included, is signed with secret #2");
    if (options.deployDelay > 0) await sleep(options.deployDelay * 1000);
    await appendSecret(options.secretsFile, rotated.secret);
    say(`3. appended secret #2 to ${options.secretsFile}: the receiver should trust both secrets now`);
    const pinged = await sandbox.ping();
    const ping = pinged.status === 200 ? `answered ${pinged.body.response_status}` : pinged.body.detail;
    say(`4. ping: ${ping}`);

    const windowLeft = options.tolerance * 1000 - (Date.now() - rotatedAt);
    say(`5. keeping both secrets for the ${options.tolerance} s tolerance window`);
    if (windowLeft > 0) await sleep(windowLeft);
    const { removed } = await retireSecrets(options.secretsFile, 1);
    say(`6. retired ${removed} old secret(s) from ${options.secretsFile}; streaming on secret #2 alone`);
    await sleep(options.warmUp * 1000);

    sandbox.stopStream();
    say("7. stream stopped; waiting for retries in progress to finish");
    await settleKeepingAlive(sandbox);
    return summarise(sandbox.eventRecords(), rotatedAt, ping, sandbox.get().disabled, removed);
  } finally {
    await sandbox.close();
  }
}

async function currentSecret(path: string, say: (line: string) => void): Promise<string> {
  try {
    const secrets = await readSecretsFile(path);
    const newest = secrets.at(-1);
    if (newest !== undefined) return newest;
  } catch (error) {
    if (!(error instanceof SecretsFileError && error.code === "missing")) throw error;
  }
  await appendSecret(path, SANDBOX_SECRET);
  say(`0. ${path} held no secret: wrote the sandbox secret in it (point your receiver at this file)`);
  return SANDBOX_SECRET;
}

// The sandbox's retry timers are unref'd; a ref'd timer keeps this process alive while they run.
async function settleKeepingAlive(sandbox: Sandbox): Promise<void> {
  const keepAlive = setInterval(() => undefined, 1000);
  try {
    await sandbox.settled();
  } finally {
    clearInterval(keepAlive);
  }
}

function summarise(
  events: readonly EventRecord[],
  rotatedAt: number,
  ping: string,
  disabled: boolean,
  oldSecretsRetired: number,
): RehearsalReport {
  const attempts = events.flatMap((event) => event.attempts);
  const withNewSecret = attempts
    .filter((attempt) => attempt.secret_generation >= 2)
    .sort((a, b) => Date.parse(a.sent_at) - Date.parse(b.sent_at));
  const firstAccepted = withNewSecret.findIndex((attempt) => attempt.error === null);
  const accepted = withNewSecret[firstAccepted];
  return {
    sent: events.length,
    attempts: attempts.length,
    firstAttemptFailures: events.filter((event) => event.attempts[0]?.error != null).length,
    recoveredByRetries: events.filter((event) => event.state === "delivered" && event.attempts.length > 1)
      .length,
    lost: events.filter((event) => event.state === "lost").length,
    ping,
    switchSeconds: accepted === undefined ? undefined : (Date.parse(accepted.sent_at) - rotatedAt) / 1000,
    refusedWithNewSecret: accepted === undefined ? withNewSecret.length : firstAccepted,
    disabled,
    oldSecretsRetired,
  };
}

export function renderReport(report: RehearsalReport): string {
  const row = (label: string, value: string | number) => `  ${label.padEnd(28)}${value}`;
  const switched =
    report.switchSeconds === undefined
      ? `NEVER: all ${report.refusedWithNewSecret} deliveries signed with the new secret were refused`
      : `${report.switchSeconds.toFixed(2)} s after the rotation (${report.refusedWithNewSecret} attempts refused before)`;
  const lines = [
    "Rehearsal report",
    row("events sent", `${report.sent} (${report.attempts} attempts)`),
    row("first-attempt failures", report.firstAttemptFailures),
    row("recovered by retries", report.recoveredByRetries),
    row("lost", `${report.lost} (goal: 0)`),
    row("ping after the rotation", report.ping),
    row("receiver took new secret", switched),
    row("old secrets retired", report.oldSecretsRetired),
    row("webhook disabled", report.disabled ? "YES, after too many lost events" : "no"),
  ];
  if (report.lost === 0) lines.push("PASS: no event lost; the receiver survives this rotation.");
  else {
    lines.push(`FAIL: ${report.lost} event(s) lost.`);
    if (report.switchSeconds === undefined)
      lines.push(
        "  The receiver never accepted the new secret: it must trust the old AND the new secret during the " +
          "overlap (read the secrets file on each delivery, or reload it when it changes).",
      );
    else
      lines.push(
        "  The receiver accepted the new secret too late for the retries: make it pick up the secrets file " +
          "sooner, or rehearse with longer --retry-delays to see the margin you have.",
      );
  }
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { options, secret, help } = parseRehearsalOptions(process.argv.slice(2), process.env);
  if (help) {
    console.log(USAGE);
    return 0;
  }
  const report = await rehearse(options, secret, console.log, options.quiet ? undefined : console.log);
  console.log(`\n${renderReport(report)}`);
  return report.lost === 0 ? 0 : 1;
}

// Run directly (not imported by a test).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known = error instanceof SandboxOptionsError || error instanceof SecretsFileError;
      console.error(`Rehearsal not run: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof SandboxOptionsError) console.error(`\n${USAGE}`);
      process.exitCode = known ? 2 : 1;
    },
  );
}
