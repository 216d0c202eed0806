#!/usr/bin/env node
// `npm run rehearse`: a rotation rehearsed end to end against your receiver, in traffic, with a report.
//
// Steps: start a sandbox signing with the secret the receiver already trusts (the newest line of the secrets
// file), stream events, rotate half-way through, append the new secret to the secrets file (after an optional
// simulated deploy delay), ping, keep streaming for a full tolerance window, retire the old secret, stream as
// long again on the new secret alone, let retries finish, then report what was sent, failed, recovered and lost.
// `--watch` serves the live page while it runs; `--report` and `--report-json` file the outcome.
import { writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { hostnameOf, isThisMachine, MOCK_ERROR_HEADER, problem } from "../mock-engine.js";
import { appendSecret, readSecretsFile, retireSecrets, SecretsFileError } from "../secrets-file.js";
import { DEFAULT_TOLERANCE_SECONDS } from "../webhooks/index.js";
import {
  DEFAULT_ATTEMPT_TIMEOUT_S,
  DEFAULT_DISABLE_AFTER,
  DEFAULT_RETRY_DELAYS_S,
  parseSeconds,
  SANDBOX_FLAGS,
  SANDBOX_SECRET,
  SANDBOX_USAGE,
  Sandbox,
  SandboxOptionsError,
  type SandboxSettings,
  sandboxSettings,
} from "./sandbox.js";
import { DeliveryTimeline, displayReceiver, summarise, type Timeline } from "./timeline.js";
import { answerTimelineRequest, PAGE_ROUTE, type ReportDocument, renderReportHtml } from "./timeline-page.js";

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
  /** Where to write the HTML report, and its data as JSON; undefined for none. */
  report?: string;
  reportJson?: string;
  /** Serve the live page (watch-only) on 127.0.0.1 while the rehearsal runs. */
  watch?: boolean;
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
      --report <file.html>    Also write the report as one self-contained HTML page (timeline, verdict)
      --report-json <file>    Also write the data behind it as JSON
      --watch                 Serve the live page on 127.0.0.1 (a free port, printed) while it runs
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
        report: { type: "string" },
        "report-json": { type: "string" },
        watch: { type: "boolean" },
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
      report: text("report"),
      reportJson: text("report-json"),
      watch: values.watch === true,
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
  startedAt: string;
  finishedAt: string;
  /** Every event, attempt, rotation, ping and retirement of the run (no secret). */
  timeline: Timeline;
}

/** Runs the whole rehearsal. `say` gets the step lines; `log` the per-attempt lines. */
export async function rehearse(
  options: RehearsalOptions,
  say: (line: string) => void,
  log?: (line: string) => void,
): Promise<RehearsalReport> {
  const startedAt = new Date().toISOString();
  const secret = options.sandbox.secret ?? (await currentSecret(options.secretsFile, say));
  const sandbox = new Sandbox({ ...options.sandbox, secret, log });
  const timeline = new DeliveryTimeline(sandbox);
  const stopWatch = options.watch ? await serveLivePage(timeline, options.sandbox.receiver, say) : undefined;
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
    timeline.mark("retirement", `retired ${removed} old secret(s)`);
    say(`6. retired ${removed} old secret(s) from ${options.secretsFile}; streaming on secret #2 alone`);
    await sleep(options.warmUp * 1000);

    sandbox.stopStream();
    say("7. stream stopped; waiting for retries in progress to finish");
    await settleKeepingAlive(sandbox);
    return {
      ...findings(sandbox.eventRecords(), rotatedAt, ping, sandbox.get().disabled, removed),
      startedAt,
      finishedAt: new Date().toISOString(),
      timeline: timeline.snapshot(),
    };
  } finally {
    await stopWatch?.();
    timeline.close();
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

function findings(
  events: ReturnType<Sandbox["eventRecords"]>,
  rotatedAt: number,
  ping: string,
  disabled: boolean,
  oldSecretsRetired: number,
): Omit<RehearsalReport, "startedAt" | "finishedAt" | "timeline"> {
  const attempts = events.flatMap((event) => event.attempts);
  const counts = summarise(events);
  const withNewSecret = attempts
    .filter((attempt) => attempt.secret_generation >= 2)
    .sort((a, b) => Date.parse(a.sent_at) - Date.parse(b.sent_at));
  const firstAccepted = withNewSecret.findIndex((attempt) => attempt.error === null);
  const accepted = withNewSecret[firstAccepted];
  return {
    sent: counts.sent,
    attempts: counts.attempts,
    firstAttemptFailures: counts.failed_first_attempt,
    recoveredByRetries: counts.recovered_by_retries,
    lost: counts.lost,
    ping,
    switchSeconds: accepted === undefined ? undefined : (Date.parse(accepted.sent_at) - rotatedAt) / 1000,
    refusedWithNewSecret: accepted === undefined ? withNewSecret.length : firstAccepted,
    disabled,
    oldSecretsRetired,
  };
}

// The findings and the verdict, worded once for the text report and the HTML one.
function reportRows(report: RehearsalReport): Array<[label: string, value: string]> {
  const switched =
    report.switchSeconds === undefined
      ? `NEVER: all ${report.refusedWithNewSecret} attempts signed with the new secret were refused`
      : `${report.switchSeconds.toFixed(2)} s after the rotation (${report.refusedWithNewSecret} attempts refused before)`;
  return [
    ["events sent", `${report.sent} (${report.attempts} attempts)`],
    ["first-attempt failures", String(report.firstAttemptFailures)],
    ["recovered by retries", String(report.recoveredByRetries)],
    ["lost", `${report.lost} (goal: 0)`],
    ["ping after the rotation", report.ping],
    ["receiver took new secret", switched],
    ["old secrets retired", String(report.oldSecretsRetired)],
    ["webhook disabled", report.disabled ? "YES, after too many lost events" : "no"],
  ];
}

function verdict(report: RehearsalReport): { verdict: "PASS" | "FAIL"; lines: string[] } {
  if (report.lost === 0)
    return { verdict: "PASS", lines: ["PASS: no event lost; the receiver survives this rotation."] };
  return {
    verdict: "FAIL",
    lines: [
      `FAIL: ${report.lost} event(s) lost.`,
      report.switchSeconds === undefined
        ? "The receiver never accepted the new secret: it must trust the old AND the new secret during the " +
          "overlap (read the secrets file on each delivery, or reload it when it changes)."
        : "The receiver accepted the new secret too late for the retries: make it pick up the secrets file " +
          "sooner, or rehearse with longer --retry-delays to see the margin you have.",
    ],
  };
}

export function renderReport(report: RehearsalReport): string {
  const [first, ...rest] = verdict(report).lines;
  return [
    "Rehearsal report",
    ...reportRows(report).map(([label, value]) => `  ${label.padEnd(28)}${value}`),
    first,
    ...rest.map((line) => `  ${line}`),
  ].join("\n");
}

/** What `--report` draws and `--report-json` writes: the run, its verdict and its timeline, no secret. */
export function reportDocument(report: RehearsalReport, options: RehearsalOptions): ReportDocument {
  const { verdict: outcome, lines } = verdict(report);
  const sandbox = options.sandbox;
  return {
    verdict: outcome,
    verdict_detail: lines,
    receiver: displayReceiver(sandbox.receiver),
    started_at: report.startedAt,
    finished_at: report.finishedAt,
    parameters: {
      "--secrets-file": options.secretsFile,
      "--events-every": `${options.eventsEvery} s`,
      "--warm-up": `${options.warmUp} s`,
      "--deploy-delay": `${options.deployDelay} s`,
      "--tolerance": `${options.tolerance} s`,
      "--retry-delays": `${(sandbox.retryDelays ?? DEFAULT_RETRY_DELAYS_S).join(", ")} s`,
      "--attempt-timeout": `${sandbox.attemptTimeout ?? DEFAULT_ATTEMPT_TIMEOUT_S} s`,
      "--disable-after": `${sandbox.disableAfter ?? DEFAULT_DISABLE_AFTER} lost events`,
      "--secret": sandbox.secret === undefined ? "(the newest in the secrets file)" : "(given; not shown)",
    },
    findings: reportRows(report),
    timeline: report.timeline,
  };
}

/** Writes the files asked for with --report and --report-json; returns their paths. */
export async function writeReports(report: RehearsalReport, options: RehearsalOptions): Promise<string[]> {
  const document = reportDocument(report, options);
  const written: string[] = [];
  if (options.report !== undefined) {
    await writeFile(options.report, renderReportHtml(document));
    written.push(options.report);
  }
  if (options.reportJson !== undefined) {
    await writeFile(options.reportJson, `${JSON.stringify(document, null, 2)}\n`);
    written.push(options.reportJson);
  }
  return written;
}

// The watch-only live page, on a free port of 127.0.0.1 for the length of the run. No buttons: the
// rehearsal drives the sandbox. Only requests addressed to this machine are answered: the same Host rule
// as the sandbox in `npm start` (isThisMachine), which stops a page using DNS rebinding.
async function serveLivePage(
  timeline: DeliveryTimeline,
  receiver: string,
  say: (line: string) => void,
): Promise<() => Promise<void>> {
  const page = {
    controls: false,
    subtitle: `A rehearsal against ${displayReceiver(receiver)} is running: this page only watches it.`,
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const host = request.headers.host ?? "";
    const answer = !isThisMachine(hostnameOf(host), [])
      ? problem(
          403,
          "Forbidden",
          `This page answers requests addressed to this machine only, not to ${host}.`,
          {
            [MOCK_ERROR_HEADER]: "host-not-allowed",
          },
        )
      : (answerTimelineRequest(request.method ?? "GET", path, timeline, page) ??
        problem(404, "Not Found", `Nothing at ${path} here: the page is ${PAGE_ROUTE}.`));
    if (answer.raw instanceof ReadableStream) {
      response.writeHead(answer.status, answer.headers);
      const stream = Readable.fromWeb(answer.raw as import("node:stream/web").ReadableStream);
      response.on("close", () => stream.destroy());
      stream.pipe(response);
    } else response.writeHead(answer.status, answer.headers).end(answer.raw ?? JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  say(`0. watch it live: http://127.0.0.1:${port}${PAGE_ROUTE}`);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
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
  for (const path of await writeReports(report, options)) console.log(`Report written to ${path}`);
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
