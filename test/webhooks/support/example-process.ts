// An example receiver as a user runs it: a bundle started as its own process with PORT=0, ready once it prints
// "listening on <origin>", stopped by PID. The example tests share it instead of each wiring the same process.
import { type ChildProcess, spawn } from "node:child_process";

export interface ExampleProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>`, as the example printed it. */
  origin: string;
  /** Everything the example printed so far, both streams. */
  output(): string;
}

/** Starts `bundle` with only PATH and `env`; rejects with what it printed if it exits or stays silent. */
export function startExample(
  bundle: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ExampleProcess> {
  let output = "";
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.setEncoding("utf8").on("data", (text: string) => (output += text));
  child.stderr!.setEncoding("utf8").on("data", (text: string) => (output += text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), timeoutMs);
    child.stdout!.on("data", () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, origin: match[1]!, output: () => output });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a started example by its PID and waits for it to exit. */
export async function stopExample(example: ExampleProcess | undefined): Promise<void> {
  const child = example?.child;
  if (child?.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(child.pid, "SIGTERM");
  await exited;
}
