// Serves the API reference on 127.0.0.1 for writers (`npm run docs:preview`). It builds the docs first (or keeps
// a build made from the very same sources), and rebuilds them when the page is reloaded after any source
// (openapi/, docs/) changed: edit, save, refresh.
// Usage: npm run docs:preview [-- --port 8080]    or    DOCS_PORT=8080 npm run docs:preview    (0 = any free port)
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import { DOCS_DIR, describeBuild, freshDocs } from "./build-docs.mjs";

const HOST = "127.0.0.1";
const DEFAULT_PORT = 8080;
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".yaml": "application/yaml; charset=utf-8",
};

function portFromArgs() {
  let values;
  try {
    ({ values } = parseArgs({ options: { port: { type: "string", short: "p" } } }));
  } catch (error) {
    fail(`${error.message}\nUsage: npm run docs:preview [-- --port <n>]   (or set DOCS_PORT)`);
  }
  const raw = values.port ?? process.env.DOCS_PORT ?? String(DEFAULT_PORT);
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65535) {
    fail(`The port must be a whole number from 0 to 65535 (0 picks a free one), got "${raw}".`);
  }
  return port;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

let checking;

/**
 * Rebuilds when a source changed since the last build; concurrent requests share one check (and build). Says so
 * when it rebuilt, or, with `announce`, also when it kept the build.
 */
function currentDocs(announce = false) {
  checking ??= (async () => {
    try {
      const result = await freshDocs();
      if (announce || !result.reused) console.log(describeBuild(result));
    } finally {
      checking = undefined;
    }
  })();
  return checking;
}

/** Maps a URL path onto a file inside dist/docs/, or undefined for anything outside it or hidden. */
function fileFor(urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (path.endsWith("/")) path += "index.html";
  const file = join(DOCS_DIR, path);
  const inside = relative(DOCS_DIR, file);
  if (inside.startsWith("..") || inside.split(sep).some((part) => part.startsWith("."))) return undefined;
  return file;
}

function send(response, status, body, type = "text/plain; charset=utf-8") {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  response.end(body);
}

async function handle(request, response) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.setHeader("Allow", "GET, HEAD");
    return send(response, 405, "Only GET and HEAD are served.\n");
  }
  const { pathname } = new URL(request.url ?? "/", `http://${HOST}`);
  const file = fileFor(pathname);
  if (!file) return send(response, 404, `Not found: ${pathname}\n`);
  if (file.endsWith(".html")) {
    try {
      await currentDocs();
    } catch (error) {
      // Show the writer what broke in the browser they are looking at, not only in the terminal.
      console.error(error.message);
      return send(
        response,
        500,
        `The docs did not build:\n\n${error.message}\n\nFix the source and reload.\n`,
      );
    }
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return send(response, 404, `Not found: ${pathname}\n`);
  response.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": info.size,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  if (request.method === "HEAD") return response.end();
  createReadStream(file).pipe(response);
}

const port = portFromArgs();
const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) send(response, 500, "Internal error; see the terminal.\n");
    else response.destroy();
  });
});
server.on("error", (error) => {
  if (error.code === "EADDRINUSE")
    fail(`Port ${port} on ${HOST} is in use: pass --port <n> (or set DOCS_PORT), 0 for any free port.`);
  fail(error.message);
});
// Take the port first, so a busy one is reported at once; build before announcing the address.
server.listen(port, HOST, async () => {
  try {
    await currentDocs(true);
  } catch (error) {
    fail(error.message);
  }
  const { port: actual } = server.address();
  console.log(
    `Docs preview at http://${HOST}:${actual}/ (rebuilt on reload after a source change; Ctrl+C to stop)`,
  );
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
