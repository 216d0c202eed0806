// Loads the spec the way consumers see it: bundled into one document with every $ref resolved.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REDOCLY = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");

export type Json = Record<string, unknown>;

/** Runs `redocly bundle --dereferenced` on a spec entry file and returns the parsed document. */
export function bundleSpec(entry = join(ROOT, "openapi", "openapi.yaml"), cwd = ROOT): Json {
  const dir = mkdtempSync(join(tmpdir(), "rotate-spec-"));
  try {
    const out = join(dir, "openapi.json");
    execFileSync(process.execPath, [REDOCLY, "bundle", entry, "--dereferenced", "--ext", "json", "-o", out], {
      cwd,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      stdio: "pipe",
    });
    return JSON.parse(readFileSync(out, "utf8")) as Json;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function redoclyBin(): string {
  return REDOCLY;
}
