// Writes the contract as one portable file, generated/openapi.json and generated/openapi.yaml, for consumers
// whose tools cannot follow our split layout (other generators, Postman, MSW handlers built at compile time).
// Redocly's bundle makes every $ref internal and inlines the Markdown guide and the code samples as strings.
//
//   node scripts/bundle-spec.mjs           write both files
//   node scripts/bundle-spec.mjs --check   exit 1 if either file differs from a fresh bundle (the drift check)
//
// Paths are relative to the working directory (npm runs scripts from the package root), so a test can run the
// script on a throwaway copy of the project.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { redocly } from "./build-docs.mjs";

const ENTRY = join("openapi", "openapi.yaml");
const OUTPUTS = [join("generated", "openapi.json"), join("generated", "openapi.yaml")];

/** A fresh bundle in both formats, as the exact text to commit (ending in one newline, like every file here). */
async function freshBundle() {
  const dir = await mkdtemp(join(tmpdir(), "bundle-spec-"));
  try {
    const files = OUTPUTS.map((file) => join(dir, basename(file)));
    await Promise.all(files.map((out) => redocly(["bundle", ENTRY, "--output", out], process.cwd())));
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

const texts = await freshBundle();
const outside = externalRefs(JSON.parse(texts[0]));
if (outside.length > 0) {
  console.error(`The bundled spec still has $refs outside the document:\n  ${outside.join("\n  ")}`);
  process.exit(1);
}
if (process.argv.includes("--check")) {
  const stale = [];
  for (const [i, file] of OUTPUTS.entries()) {
    const committed = await readFile(file, "utf8").catch(() => null);
    if (committed !== texts[i]) stale.push(file);
  }
  if (stale.length > 0) {
    console.error(
      `${stale.join(" and ")} out of date with openapi/: run \`npm run generate\` and commit the result.`,
    );
    process.exit(1);
  }
} else {
  await Promise.all(OUTPUTS.map((file, i) => writeFile(file, texts[i])));
}
