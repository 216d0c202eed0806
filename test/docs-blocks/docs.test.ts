// Every command and TypeScript example in the README and the documents it links works as written (the rules
// are at the top of blocks.ts): each Markdown file is followed in a fresh workspace, block by block, against
// the mock on 127.0.0.1, and each block is one test here, failing with what it printed.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/spec.js";
import { type BlockResult, extractBlocks, localLinks, readDoc, runSession } from "./blocks.js";

/** README.md, CONTRIBUTING.md, every Markdown file under docs/, and every Markdown file the README links. */
function documents(): string[] {
  const files = new Set(["README.md"]);
  if (existsSync(join(ROOT, "CONTRIBUTING.md"))) files.add("CONTRIBUTING.md");
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".md")) files.add(join(dir, entry.name));
    }
  };
  walk("docs");
  for (const link of localLinks(readDoc(ROOT, "README.md"), "README.md"))
    if (link.endsWith(".md") && existsSync(join(ROOT, link))) files.add(link);
  return [...files];
}

const files = documents();

describe("links between the documents", () => {
  it.each(files)("every file %s links to exists", (file) => {
    const missing = localLinks(readDoc(ROOT, file), file).filter((link) => !existsSync(join(ROOT, link)));
    expect(missing, `${file} links to files that do not exist`).toEqual([]);
  });
});

for (const file of files) {
  const blocks = extractBlocks(readDoc(ROOT, file), file);
  if (blocks.length === 0) continue;
  describe(file, () => {
    let results: BlockResult[] = [];
    beforeAll(async () => {
      results = await runSession(blocks, { root: ROOT });
    });

    blocks.forEach((block, index) => {
      const where = `${file}:${block.line}`;
      it(`the block at ${where} works as written, or says why it is not run`, () => {
        const result = results[index] as BlockResult;
        if (result.status === "not-run") expect(result.output, `${where}: reason`).not.toBe("");
        else
          expect(result.status, `${where} failed:\n${block.code}\n--- it printed ---\n${result.output}`).toBe(
            "passed",
          );
      });
    });
  });
}
