#!/usr/bin/env node
// `npm start`: serve the spec with Prism, print the cheat sheet, log requests, stop cleanly on Ctrl-C.
// Prism runs in this process (no child to orphan), so stopping this process stops everything.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { renderCheatSheet } from "./cheat-sheet.js";
import { MockOptionsError, parseMockOptions, USAGE } from "./options.js";
import { type RunningMockServer, startMockServer } from "./server.js";

// After a first Ctrl-C, open keep-alive connections get this long to finish before we exit anyway.
const SHUTDOWN_GRACE_MS = 2000;
const PARENT_CHECK_MS = 500;

function specInfo(specPath: string): { title: string; version: string } {
  const info = (parse(readFileSync(specPath, "utf8")) as { info?: { title?: string; version?: string } })
    .info;
  return { title: info?.title ?? "API", version: info?.version ?? "" };
}

async function main(): Promise<number> {
  const options = parseMockOptions(process.argv.slice(2), process.env);
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

  server = await startMockServer({
    host: options.host,
    port: options.port,
    dynamic: options.dynamic,
    log: options.quiet ? undefined : (line) => console.log(line),
  });
  console.log(renderCheatSheet({ ...specInfo(server.specPath), ...server, dynamic: options.dynamic }));
  if (!["127.0.0.1", "localhost", "::1"].includes(options.host)) {
    console.log(`\nWarning: listening on ${options.host}, so other machines may reach this mock.`);
  }
  return -1; // keep running
}

main().then(
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
