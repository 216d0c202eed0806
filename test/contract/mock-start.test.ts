// `npm start` on a checkout that is already built must not rebuild (issue 11 item 8): the launcher
// (src/mock/start.mjs) rebuilds its bundle only when a file it was built from is newer than it.
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUNDLE, staleReason } from "../../src/mock/start.mjs";
import { startMockProcess } from "./mock-process.js";

const HOUR_AGO = Date.now() / 1000 - 3600;
let root = "";

/** A fake checkout: a bundle built "now" from src/mock/cli.ts, with every input an hour older. */
function write(path: string, text: string, at = HOUR_AGO) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  utimesSync(full, at, at);
}

describe("the launcher's freshness check", () => {
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "mock-start-"));
    for (const source of ["src/mock/cli.ts", "src/mock/start.mjs", "package-lock.json"]) write(source, "");
    const inputs = {
      "src/mock/cli.ts": {},
      "node_modules/yaml/dist/index.js": {},
      "load-on-first-use:@faker-js/faker": {},
    };
    write("dist/mock/cli.meta.json", JSON.stringify({ inputs }), Date.now() / 1000);
    write("dist/mock/cli.mjs", "", Date.now() / 1000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("finds a bundle newer than all its sources current: no rebuild", () => {
    expect(staleReason(root)).toBeUndefined();
  });

  it("names the source that changed since the bundle was built", () => {
    write("src/mock/cli.ts", "// edited", Date.now() / 1000 + 5);
    expect(staleReason(root)).toBe("src/mock/cli.ts changed");
  });

  it("rebuilds after a dependency change (package-lock.json) or a change to the launcher itself", () => {
    write("package-lock.json", "{}", Date.now() / 1000 + 5);
    expect(staleReason(root)).toBe("package-lock.json changed");
  });

  it("rebuilds when the bundle or its list of sources is missing", () => {
    rmSync(join(root, "dist/mock/cli.meta.json"));
    expect(staleReason(root)).toBe("its list of sources (dist/mock/cli.meta.json) is missing");
    rmSync(join(root, "dist/mock/cli.mjs"));
    expect(staleReason(root)).toBe("dist/mock/cli.mjs does not exist yet");
  });
});

describe("a warm npm start", () => {
  it("serves without rebuilding: the bundle is untouched and nothing is compiled", async () => {
    const before = statSync(BUNDLE).mtimeMs; // the global setup's start left it current
    const mock = await startMockProcess(["--quiet"]);
    await mock.stop();
    expect(mock.output()).toContain("Listening on");
    expect(mock.output()).not.toContain("Building the mock");
    expect(statSync(BUNDLE).mtimeMs).toBe(before);
  });
});
