// Writes the contract as one portable file, generated/openapi.json and generated/openapi.yaml, for consumers
// whose tools cannot follow our split layout (other generators, Postman, MSW handlers built at compile time).
// Redocly's bundle makes every $ref internal and inlines the Markdown guide and the code samples as strings.
//
//   node scripts/bundle-spec.mjs           write both files
//   node scripts/bundle-spec.mjs --check   exit 1 if either file differs from a fresh bundle (the drift check)
//
// Paths are relative to the working directory (npm runs scripts from the package root), so a test can run the
// script, or call bundleSpec(), on a throwaway copy of the project.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { redocly } from "./build-docs.mjs";

const ENTRY = join("openapi", "openapi.yaml");
const OUTPUTS = [join("generated", "openapi.json"), join("generated", "openapi.yaml")];

/** A fresh bundle in both formats, as the exact text to commit (ending in one newline, like every file here). */
async function freshBundle(cwd) {
  const dir = await mkdtemp(join(tmpdir(), "bundle-spec-"));
  try {
    const files = OUTPUTS.map((file) => join(dir, basename(file)));
    await Promise.all(files.map((out) => redocly(["bundle", ENTRY, "--output", out], cwd)));
    const texts = await Promise.all(files.map((file) => readFile(file, "utf8")));
    return texts.map((text) => `${text.trimEnd()}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Every $ref must point inside the document: a file or URL reference would break the "single file" promise. */
function externalRefs(node, at = "#", found = []) {
  if (node === null || typeof node !== "object") return found;
  for (const [key, value] of Object.entries(node)) {
    if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) found.push(`${at}: ${value}`);
    else externalRefs(value, `${at}/${key}`, found);
  }
  return found;
}

/** The output files (relative to `cwd`) whose text differs from `texts`. */
export async function staleOutputs(texts, cwd = process.cwd()) {
  const stale = [];
  for (const [i, file] of OUTPUTS.entries()) {
    const committed = await readFile(join(cwd, file), "utf8").catch(() => null);
    if (committed !== texts[i]) stale.push(file);
  }
  return stale;
}

/**
 * Bundles the spec in `cwd`; writes both files, or with `check` throws if either is out of date. Returns the
 * texts of the fresh bundle (JSON, then YAML). Throws with the message to print when something is wrong.
 */
export async function bundleSpec({ cwd = process.cwd(), check = false } = {}) {
  const texts = await freshBundle(cwd);
  const outside = externalRefs(JSON.parse(texts[0]));
  if (outside.length > 0)
    throw new Error(`The bundled spec still has $refs outside the document:\n  ${outside.join("\n  ")}`);
  if (check) {
    const stale = await staleOutputs(texts, cwd);
    if (stale.length > 0)
      throw new Error(
        `${stale.join(" and ")} out of date with openapi/: run \`npm run generate\` and commit the result.`,
      );
  } else {
    await Promise.all(OUTPUTS.map((file, i) => writeFile(join(cwd, file), texts[i])));
  }
  return texts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await bundleSpec({ check: process.argv.includes("--check") });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
