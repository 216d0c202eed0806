// What the CLI tests share: a stand-in API on 127.0.0.1 that each test scripts, the built executable run
// as a real process, and the PID of a process that has exited (for stale locks).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ROOT } from "../support/spec.js";

const BIN = join(ROOT, "dist", "src", "bin.js");
export const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";
export const KEY = "hk-cliTestKeyThatMustNeverBePrinted0123";

/** Throws unless dist/ holds a build at least as new as every file of src/ (spawned tests run it). */
export function requireFreshBuild() {
  const built = statSync(BIN, { throwIfNoEntry: false });
  const sources = readdirSync(join(ROOT, "src"))
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(ROOT, "src", name));
  if (!built || sources.some((source) => statSync(source).mtimeMs > built.mtimeMs))
    throw new Error("dist/src/bin.js is missing or older than src/: run `npm run build` first.");
}

/** The body of a 200 from rotate. */
export const rotatedBody = (secret: string, id = WEBHOOK_ID) =>
  JSON.stringify({ id, url: "https://example.com/hooks", secret, created_at: "2026-07-01T10:00:00Z" });

export interface StandIn {
  url: string;
  /** `METHOD path` of every request received. */
  requests: string[];
  answer: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startStandIn(): Promise<StandIn> {
  const standIn = {
    requests: [] as string[],
    answer: (_req: IncomingMessage, res: ServerResponse) => void res.writeHead(500).end(),
  } as StandIn;
  const server = createServer((req, res) => {
    standIn.requests.push(`${req.method} ${req.url}`);
    req.resume();
    standIn.answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built executable; `started` sees the child as soon as it is spawned. */
export function runBin(
  args: string[],
  env: Record<string, string | undefined>,
  cwd: string,
  started?: (child: ChildProcess) => void,
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    started?.(child);
  });
}

/** A PID that no running process has: that of a child that has exited. */
export function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  if (pid === undefined) throw new Error("could not start a process");
  return pid;
}
