#!/usr/bin/env node
// The `hai-webhook-rotate` executable: the command (src/cli.ts) with this process's arguments, environment
// and streams. Kept apart so that importing the command runs nothing.
import { main } from "./cli.js";

process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
