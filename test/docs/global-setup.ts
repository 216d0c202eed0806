// Docs project setup: build dist/docs/ once for every test file (`npm run docs`, which keeps a build made from the
// same sources) and, at the same time, bundle the spec from source with every $ref resolved, for the page checks.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type Json, ROOT, redoclyBin } from "../support/spec.js";
import { runBuild } from "./support/docs-build.js";

/** `redocly bundle --dereferenced` as in test/support/spec.ts, but in a child that runs beside the build. */
async function dereferencedSpec(): Promise<Json> {
  const dir = await mkdtemp(join(tmpdir(), "docs-spec-"));
  try {
    const out = join(dir, "openapi.json");
    const args = [
      redoclyBin(),
      "bundle",
      "openapi/openapi.yaml",
      "--dereferenced",
      "--ext",
      "json",
      "-o",
      out,
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    if (code !== 0) throw new Error(`redocly bundle --dereferenced failed (exit code ${code}):\n${output}`);
    return JSON.parse(await readFile(out, "utf8")) as Json;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function setup(project: TestProject) {
  const [build, spec] = await Promise.all([runBuild(), dereferencedSpec()]);
  if (build.status !== 0)
    throw new Error(`npm run docs failed, so there is nothing to test:\n${build.stderr}`);
  project.provide("docsSpec", spec);
}
