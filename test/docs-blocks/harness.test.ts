// The harness itself, on a planted page with one defect of each kind (test/fixtures/docs-blocks/planted.md):
// if it passed a failing command, a type error, a throw, a marker without a reason or a server that never
// listens, the docs test would pass broken docs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/spec.js";
import { type BlockResult, extractBlocks, localLinks, runSession } from "./blocks.js";

const PAGE = "test/fixtures/docs-blocks/planted.md";
const markdown = readFileSync(join(ROOT, PAGE), "utf8");

describe("reading a page", () => {
  it("finds the sh, bash, shell, ts and typescript blocks with the marker on the line before each", () => {
    const blocks = extractBlocks(markdown, PAGE);
    expect(blocks.map((block) => [block.line, block.language, block.run.kind])).toEqual([
      [3, "sh", "run"],
      [10, "sh", "run"],
      [14, "sh", "run"],
      [20, "sh", "run"],
      [27, "sh", "not-run"],
      [32, "sh", "problem"],
      [37, "sh", "problem"],
      [46, "sh", "run"],
      [51, "ts", "run"],
      [57, "ts", "run"],
      [63, "ts", "run"],
      [68, "sh", "run"],
      [74, "sh", "run"],
      [84, "sh", "run"],
    ]);
    expect(blocks.at(-2)?.output).toEqual(["one", "three ..."]);
  });

  it("finds a block inside a list item and strips its indentation", () => {
    const [block] = extractBlocks("1. Run:\n\n   ```sh\n   echo one\n     echo two\n   ```\n", "list.md");
    expect(block?.code).toBe("echo one\n  echo two");
  });

  it("resolves relative links from the linking file, leaving out web addresses and anchors", () => {
    const page = "[a](guides/mock.md#start) [b](../README.md) [c](https://example.com/x.md) [d](#here)";
    expect(localLinks(page, "docs/index.md")).toEqual(["docs/guides/mock.md", "README.md"]);
  });
});

describe("running the planted page", () => {
  let results: BlockResult[] = [];
  const at = (line: number) => results.find((result) => result.block.line === line) as BlockResult;

  beforeAll(async () => {
    results = await runSession(extractBlocks(markdown, PAGE), {
      root: ROOT,
      listenTimeoutMs: 3000,
      // Not the docs' 4010, so that this file can run beside docs.test.ts; below 32768, so that no outgoing
      // connection of another test is given it as its ephemeral port in the meantime.
      mockPort: 24914,
    });
  });

  it("passes blocks that work, in the clone and in my-app, with exports carried over and the mock up", () => {
    expect(at(3)).toMatchObject({ status: "passed", output: "hello, hai-webhook-rotate\n" });
    expect(at(10).status, at(10).output).toBe("passed");
    expect(at(14).status, at(14).output).toBe("passed");
    expect(at(46).status, at(46).output).toBe("passed");
    expect(at(51)).toMatchObject({ status: "passed", output: "42\n" });
  });

  it("fails a command that fails, showing what it printed up to there", () => {
    expect(at(20).status).toBe("failed");
    expect(at(20).output).toBe("exit status 1:\nabout to fail");
  });

  it("keeps a marked block out, with its reason, and fails a marker without one or with an unknown word", () => {
    expect(at(27)).toMatchObject({ status: "not-run", output: "it would call a production host" });
    expect(at(32).status).toBe("failed");
    expect(at(32).output).toContain("needs a reason");
    expect(at(37).status).toBe("failed");
    expect(at(37).output).toContain("unknown word `sideways`");
  });

  it("fails TypeScript that does not type-check, and TypeScript that throws", () => {
    expect(at(57).status).toBe("failed");
    expect(at(57).output).toMatch(
      /^tsc:\ndocs-block-57\.ts\(1,7\): error TS2322: Type 'string' is not assignable/,
    );
    expect(at(63).status).toBe("failed");
    expect(at(63).output).toContain("Error: thrown at run time");
  });

  it("checks the output shown after a block, line by line in order, and fails a block that prints otherwise", () => {
    expect(at(74).status, at(74).output).toBe("passed");
    expect(at(84).status).toBe("failed");
    expect(at(84).output).toBe(
      "the output shown after it has a line it did not print (in that order):\n  one\nit printed:\none\ntwo",
    );
  });

  it("fails a background block that never listens on its port", () => {
    expect(at(68).status).toBe("failed");
    expect(at(68).output).toBe(
      "nothing listened on 127.0.0.1:24913 within 3 s:\na server that never listens",
    );
  });
});
