// Package project setup: pack the built package once and install it into two empty consumer projects, one
// without msw (the main entry must not need it) and one with the oldest msw the peer range allows. Every
// test of this project reads these installs instead of packing and installing its own, which cost a few
// seconds each. Tests write only their own file names into a consumer, so they can run side by side.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { ROOT } from "../support/spec.js";

export interface PackedPackage {
  /** Every path in the tarball, as `npm pack --json` lists it. */
  files: string[];
  /** A project with only the packed package installed. */
  consumer: string;
  /** A project with the packed package and `msw@<mswVersion>` installed. */
  mswConsumer: string;
  /** The oldest msw the peer range allows: the version installed in `mswConsumer`. */
  mswVersion: string;
}

declare module "vitest" {
  interface ProvidedContext {
    packed: PackedPackage;
  }
}

const run = promisify(execFile);

async function npm(args: string[], cwd: string): Promise<string> {
  try {
    return (await run("npm", args, { cwd, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    // Show what npm printed, not just "Command failed".
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

function emptyProject(prefix: string, under: string): string {
  const project = mkdtempSync(join(under, prefix));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" }),
  );
  return project;
}

/** The oldest version a peer range of caret ranges allows: what a consumer may legitimately have installed. */
function oldestAllowed(range: string): string {
  const oldest = /^\^(\d+\.\d+\.\d+)(?: \|\| \^\d+\.\d+\.\d+)*$/.exec(range)?.[1];
  if (oldest === undefined)
    throw new Error(`The msw peer range ${range} should be caret ranges, oldest first (^x.y.z || ^x.y.z).`);
  return oldest;
}

export default async function setup(project: TestProject) {
  if (!existsSync(join(ROOT, "dist/src/index.js")))
    throw new Error("dist/ is missing: run `npm run build` first (npm test does).");
  const root = mkdtempSync(join(tmpdir(), "rotate-packed-"));
  try {
    // --ignore-scripts: the build is already there, and prepack's rebuild would empty dist/ under the tests
    // of other projects running at the same time.
    const [packed] = JSON.parse(
      await npm(["pack", "--json", "--ignore-scripts", "--pack-destination", root], ROOT),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const tarball = join(root, packed!.filename);
    const { peerDependencies } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      peerDependencies: { msw: string };
    };
    const mswVersion = oldestAllowed(peerDependencies.msw);
    const consumer = emptyProject("consumer-", root);
    const mswConsumer = emptyProject("msw-consumer-", root);
    const install = ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"];
    // npm's cache is safe to share between two installs at once.
    await Promise.all([
      npm([...install, tarball], consumer),
      npm([...install, tarball, `msw@${mswVersion}`], mswConsumer),
    ]);
    project.provide("packed", {
      files: packed!.files.map((file) => file.path),
      consumer,
      mswConsumer,
      mswVersion,
    });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return () => rmSync(root, { recursive: true, force: true });
}
