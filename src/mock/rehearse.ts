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
  type EventRecord,
  parseSeconds,
  SANDBOX_FLAGS,
  SANDBOX_SECRET,
  SANDBOX_USAGE,
  Sandbox,
  SandboxOptionsError,
  type SandboxSettings,
  sandboxSettings,
} from "./sandbox.js";

export interface RehearsalOptions {
  /** The sandbox's settings, from the flags `npm start` takes too. */
  sandbox: SandboxSettings;
  secretsFile: string;
  /** Seconds between events (the rehearsal always streams; default 1). */
  eventsEvery: number;
  /** Seconds of traffic before the rotation, and again after the old secret is retired. */
  warmUp: number;
  /** Seconds between the rotation and the new secret reaching the secrets file: how long your deploy takes. */
  deployDelay: number;
  /** Seconds to keep both secrets after the rotation before retiring the old one. */
  tolerance: number;
  quiet: boolean;
}

export const USAGE = `Usage: npm run rehearse -- --receiver <url> --secrets-file <path> [options]

Rehearses a secret rotation against your receiver: streams signed events, rotates half-way, appends the
new secret to the secrets file your receiver reads, pings, waits a tolerance window, retires the old secret,
and reports deliveries sent, failed, recovered by retries and lost. Exits 1 if any event was lost.

The sandbox starts signing with the newest secret in the file (or --secret); a missing file is created
holding the published sandbox secret (a sandbox value, never a real one).

Options:
      --secrets-file <path>   The file your receiver reads its trusted secrets from, oldest first
      --warm-up <s>           Traffic before the rotation and after the retirement (default 10)
      --deploy-delay <s>      Wait this long after rotating before writing the new secret (default 0)
      --tolerance <s>         Keep both secrets this long before retiring the old one (default ${DEFAULT_TOLERANCE_SECONDS})
  -q, --quiet                 Print the steps and the report, not one line per attempt
  -h, --help                  Show this help

${SANDBOX_USAGE.replace("(on when a receiver is given)", "(--receiver is required; --events-every defaults to 1)")}`;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the flags; `help` is true when only the usage was asked for. */
export function parseRehearsalOptions(
  argv: readonly string[],
  env: Env = {},
): { options: RehearsalOptions; help: false } | { help: true } {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...SANDBOX_FLAGS,
        "secrets-file": { type: "string" },
        "warm-up": { type: "string" },
        "deploy-delay": { type: "string" },
        tolerance: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new SandboxOptionsError(`${(error as Error).message}. Run with --help to see the options.`);
  }
  if (values.help === true) return { help: true };
  const text = (name: string) => values[name] as string | undefined;
  const sandbox = sandboxSettings(values as Parameters<typeof sandboxSettings>[0], env);
  const secretsFile = text("secrets-file");
  if (sandbox === undefined || secretsFile === undefined)
    throw new SandboxOptionsError(
      "A rehearsal needs --receiver <url> (where your receiver listens) and --secrets-file <path> (the file it reads its secrets from).",
    );
  const seconds = (flag: string, fallback: number) => {
    const raw = text(flag);
    return raw === undefined ? fallback : parseSeconds(raw, `--${flag}`, true);
  };
  return {
    help: false,
    options: {
      sandbox,
      secretsFile,
      eventsEvery: sandbox.eventsEvery ?? 1,
      warmUp: seconds("warm-up", 10),
      deployDelay: seconds("deploy-delay", 0),
      tolerance: seconds("tolerance", DEFAULT_TOLERANCE_SECONDS),
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
  say: (line: string) => void,
  log?: (line: string) => void,
): Promise<RehearsalReport> {
  const secret = options.sandbox.secret ?? (await currentSecret(options.secretsFile, say));
  const sandbox = new Sandbox({ ...options.sandbox, secret, log });
  try {
    say(
      `1. streaming events to ${options.sandbox.receiver} every ${options.eventsEvery} s, signed with secret #1`,
    );
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
      ? `NEVER: all ${report.refusedWithNewSecret} attempts signed with the new secret were refused`
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
  const parsed = parseRehearsalOptions(process.argv.slice(2), process.env);
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const { options } = parsed;
  const report = await rehearse(options, console.log, options.quiet ? undefined : console.log);
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
