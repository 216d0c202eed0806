// Starts the compiled mock exactly as `npm start` runs it (node dist/src/mock/cli.js), on a free port of
// 127.0.0.1, and stops it by PID. Used by the global setup and by tests that need a mock of their own.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../support/spec.js";

export const MOCK_CLI = join(ROOT, "dist", "src", "mock", "cli.js");
const SOURCE_DIR = join(ROOT, "src", "mock");
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_OUTPUT = 64 * 1024;

export interface MockProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr, last 64 KiB). */
  output(): string;
  /** SIGTERM by PID, then SIGKILL if it has not exited within 5 s. Resolves with how it exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Refuses to test a build older than its source: a stale dist/ would make every result meaningless. */
function assertBuildIsCurrent(): void {
  const advice = "Run `npm run build` first (`npm run test:contract` and `npm test` do it for you).";
  if (!existsSync(MOCK_CLI)) throw new Error(`${MOCK_CLI} does not exist. ${advice}`);
  const built = statSync(MOCK_CLI).mtimeMs;
  const newer = readdirSync(SOURCE_DIR).filter((file) => statSync(join(SOURCE_DIR, file)).mtimeMs > built);
  if (newer.length > 0) throw new Error(`dist/ is older than src/mock/${newer[0]}. ${advice}`);
}

function exited(child: ChildProcess) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

export async function startMockProcess(
  args: string[] = [],
  env: Record<string, string | undefined> = {},
): Promise<MockProcess> {
  assertBuildIsCurrent();
  const child = spawn(process.execPath, [MOCK_CLI, "--host", "127.0.0.1", "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      MOCK_PORT: undefined,
      MOCK_HOST: undefined,
      MOCK_DYNAMIC: undefined,
      MOCK_QUIET: undefined,
      ...env,
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("Could not spawn the mock server (no PID).");
  // Linux pipes block the writer when full: keep draining both streams for the life of the process.
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-MAX_OUTPUT);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  const stop: MockProcess["stop"] = async (signal = "SIGTERM") => {
    const done = exited(child);
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
    }, STOP_TIMEOUT_MS);
    const result = await done;
    clearTimeout(timer);
    return result;
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "Listening on" line within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const look = () => {
        const match = /Listening on (http:\/\/\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          child.stdout.off("data", look);
          resolve(match[1]);
        }
      };
      child.stdout.on("data", look);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the process exited (${signal ?? `code ${code}`}) before listening`));
      });
    });
    return { url, pid, child, output: () => output, stop };
  } catch (error) {
    await stop("SIGKILL");
    throw new Error(`Mock server did not start: ${(error as Error).message}.\nIts output:\n${output}`);
  }
}
