// `npm run docs:preview` as a writer uses it: started on a free port, asked for the page and the spec files,
// and stopped by its PID. It must serve dist/docs/ and nothing else, on 127.0.0.1 only. The docs project's global
// setup has just built dist/docs/, so the server keeps that build instead of making its own.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREVIEW_SCRIPT, ROOT } from "./support/docs-build.js";

interface Started {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function startPreview(args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(process.execPath, [PREVIEW_SCRIPT, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The address the server announces once it is ready; fails as soon as it exits instead. */
function urlOf(preview: Started): Promise<string> {
  return new Promise((resolve, reject) => {
    const announced = () => {
      const found = /Docs preview at (http:\/\/\S+\/)/.exec(preview.output());
      if (!found?.[1]) return;
      preview.child.stdout.off("data", announced);
      resolve(found[1]);
    };
    preview.child.stdout.on("data", announced);
    preview.exited.then(() => reject(new Error(`The preview server did not start:\n${preview.output()}`)));
    announced();
  });
}

/** A raw request, so that paths such as /../package.json reach the server unnormalised. */
function get(
  base: string,
  path: string,
  method = "GET",
): Promise<{ status: number; type: string; body: string; allow: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"] ?? ""),
          body,
          allow: String(res.headers.allow ?? ""),
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("npm run docs:preview", () => {
  let preview: Started;
  let base: string;

  beforeAll(async () => {
    preview = startPreview(["--port", "0"]);
    base = await urlOf(preview);
  });

  afterAll(async () => {
    if (preview.child.exitCode === null) {
      process.kill(preview.child.pid as number, "SIGTERM");
      expect(await preview.exited).toBe(0);
    }
  });

  it("listens on 127.0.0.1 only", () => {
    expect(new URL(base).hostname).toBe("127.0.0.1");
  });

  it("serves the built page at the root", async () => {
    const page = await get(base, "/");
    expect(page.status).toBe(200);
    expect(page.type).toBe("text/html; charset=utf-8");
    expect(page.body).toContain('<div id="redoc">');
    expect(page.body).toContain("<title>H Company Agent Platform API — webhook secret rotation</title>");
  });

  it("serves the bundled spec files the page links to, with their media types", async () => {
    const json = await get(base, "/openapi.json");
    expect(json.status).toBe(200);
    expect(json.type).toBe("application/json; charset=utf-8");
    expect((JSON.parse(json.body) as { openapi: string }).openapi).toBe("3.1.0");
    const yaml = await get(base, "/openapi.yaml");
    expect(yaml.status).toBe(200);
    expect(yaml.type).toBe("application/yaml; charset=utf-8");
    expect(yaml.body).toMatch(/^openapi: 3\.1\.0$/m);
  });

  it("answers 404 for a file that is not there", async () => {
    expect((await get(base, "/nope.html")).status).toBe(404);
  });

  it("serves nothing outside dist/docs/, however the path is spelt", async () => {
    for (const path of [
      "/../package.json",
      "/%2e%2e/package.json",
      "/..%2fpackage.json",
      "/%2e%2e%2f%2e%2e%2fpackage.json",
    ]) {
      const answer = await get(base, path);
      expect(answer.status, path).toBe(404);
      expect(answer.body, path).not.toContain('"name"');
    }
  });

  it("does not serve the build's hidden working folders", async () => {
    expect((await get(base, "/.build-anything/index.html")).status).toBe(404);
  });

  it("answers 405 to anything but GET and HEAD, naming what is allowed", async () => {
    const answer = await get(base, "/", "POST");
    expect(answer.status).toBe(405);
    expect(answer.allow).toBe("GET, HEAD");
    expect((await get(base, "/openapi.json", "HEAD")).status).toBe(200);
  });
});

describe("npm run docs:preview with a port it cannot use", () => {
  it("rejects a port that is not a number, saying what it expects", async () => {
    const preview = startPreview(["--port", "eighty"]);
    expect(await preview.exited).toBe(1);
    expect(preview.output()).toContain(
      'The port must be a whole number from 0 to 65535 (0 picks a free one), got "eighty".',
    );
  });

  it("reads the port from DOCS_PORT and explains a port that is taken", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const preview = startPreview([], { DOCS_PORT: String(port) });
      expect(await preview.exited).toBe(1);
      expect(preview.output()).toContain(`Port ${port} on 127.0.0.1 is in use: pass --port <n>`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
