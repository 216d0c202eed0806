// The receiver snippets the README and the guides show are not run where they stand (they need the package
// installed by name, a runtime, an account): each is marked `<!-- not-run: examples/<file>.ts holds these lines;
// <where it is tested> -->`, and this test holds it to that. Every non-blank line of such a block must appear,
// in order, in the named example (compared trimmed, so a snippet may leave lines out, never change or reorder
// them). The examples themselves are the tested code: test:runtimes and test/webhooks/*-example.test.ts run them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type Block, extractBlocks } from "../docs-blocks/blocks.js";
import { ROOT } from "../support/spec.js";

const BINDING = /^(examples\/[\w.-]+\.ts) holds these lines;\s*\S/;

/** README.md and every Markdown file under docs/, relative to the root. */
function documents(): string[] {
  const files = ["README.md"];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".md")) files.push(join(dir, entry.name));
    }
  };
  walk("docs");
  return files;
}

/** The `ts` blocks of a Markdown file whose not-run reason names an example: the example, or what is wrong. */
function boundSnippets(markdown: string, file: string) {
  return extractBlocks(markdown, file).flatMap((block) => {
    if (block.language !== "ts" || block.run.kind !== "not-run" || !block.run.reason.startsWith("examples/"))
      return [];
    const binding = BINDING.exec(block.run.reason);
    return [{ block, example: binding?.[1], reason: block.run.reason }];
  });
}

/**
 * Why `snippet` is not the example's lines in order, or undefined when it is. Names the first line that is not
 * found after the previous one matched, with both files' line numbers, so the fix is one look away.
 */
function snippetMismatch(block: Block, example: string, source: string): string | undefined {
  const sourceLines = source.split("\n").map((line) => line.trim());
  let at = 0; // index in sourceLines after the last match
  let lastMatch = 0;
  const lines = block.code.split("\n");
  for (const [offset, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const found = sourceLines.indexOf(line, at);
    if (found === -1) {
      const anywhere = sourceLines.indexOf(line);
      const where = `${block.file}:${block.line + 1 + offset}`;
      return anywhere === -1
        ? `${where}: \`${line}\` is not a line of ${example}; copy the snippet from the file again.`
        : `${where}: \`${line}\` is line ${anywhere + 1} of ${example}, before the snippet's previous line ` +
            `(line ${lastMatch} there): the snippet reorders the file's lines.`;
    }
    at = found + 1;
    lastMatch = found + 1;
  }
  return undefined;
}

/** Every problem with the bound snippets of one Markdown text: a bad reason, a missing example, a mismatch. */
function problems(markdown: string, file: string): string[] {
  return boundSnippets(markdown, file).flatMap(({ block, example, reason }) => {
    if (example === undefined)
      return [
        `${file}:${block.line}: the reason "${reason}" names an example but not in the form ` +
          '"examples/<file>.ts holds these lines; <where it is tested>".',
      ];
    if (!existsSync(join(ROOT, example))) return [`${file}:${block.line}: ${example} does not exist.`];
    const mismatch = snippetMismatch(block, example, readFileSync(join(ROOT, example), "utf8"));
    return mismatch === undefined ? [] : [mismatch];
  });
}

describe("receiver snippets in the README and the guides are lines of the examples they name", () => {
  const bound = documents()
    .filter((file) => existsSync(join(ROOT, file)))
    .flatMap((file) =>
      boundSnippets(readFileSync(join(ROOT, file), "utf8"), file).map((snippet) => ({ file, ...snippet })),
    );

  it("finds the receivers guide's Worker, Deno, Bun, node:http and Express snippets", () => {
    const guide = bound
      .filter(({ file }) => file === "docs/guides/receivers.md")
      .map(({ example }) => example);
    expect(guide).toEqual(
      expect.arrayContaining([
        "examples/worker.ts",
        "examples/deno-server.ts",
        "examples/bun-server.ts",
        "examples/node-server.ts",
        "examples/express-server.ts",
      ]),
    );
    console.log(`receiver snippets: ${bound.length} bound to examples/ across ${documents().length} files`);
  });

  it.each(documents().filter((file) => existsSync(join(ROOT, file))))("%s", (file) => {
    expect(problems(readFileSync(join(ROOT, file), "utf8"), file)).toEqual([]);
  });
});

describe("the check itself, on fixtures", () => {
  const fixture = (name: string) => readFileSync(join(ROOT, "test/fixtures/receiver-snippets", name), "utf8");

  it("passes a snippet that leaves lines out but keeps their order and text", () => {
    expect(problems(fixture("faithful.md"), "faithful.md")).toEqual([]);
    expect(boundSnippets(fixture("faithful.md"), "faithful.md")).toHaveLength(1);
  });

  it("names a changed line, a reordered line, an unknown example and a malformed reason", () => {
    expect(problems(fixture("mismatch.md"), "mismatch.md")).toEqual([
      "mismatch.md:8: `createServer(webhook).listen(8080);` is not a line of examples/node-server.ts; copy the " +
        "snippet from the file again.",
      'mismatch.md:16: `import { createServer } from "node:http";` is line 4 of examples/node-server.ts, ' +
        "before the snippet's previous line (line 5 there): the snippet reorders the file's lines.",
      "mismatch.md:20: examples/no-such-server.ts does not exist.",
      'mismatch.md:25: the reason "examples/node-server.ts, more or less" names an example but not in the form ' +
        '"examples/<file>.ts holds these lines; <where it is tested>".',
    ]);
  });
});
