#!/usr/bin/env node
// The `hai-webhook-rotate` executable: the command (src/cli.ts) with this process's arguments, environment
// and streams. Kept apart so that importing the command runs nothing.
import { main } from "./cli.js";

// A reader that went away (a closed pipe or terminal) makes a write fail with EPIPE, possibly after `main`
// has returned; it must never end the process with an unhandled error. `main` reports what it could not write.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);

process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
