// Builds the published API reference into dist/docs/ (`npm run docs`):
//   index.html    one self-contained page (Redoc inlined), readable when opened from disk with no network;
//   openapi.yaml  the spec bundled into a single file (no external $ref), linked from the page for download;
//   openapi.json  the same bundle as JSON.
// Look and behaviour come from docs/redoc-template.hbs (page template, CSS overrides) and docs/redoc-options.json
// (Redoc options). A build that is still current is reused: dist/docs/.sources records a hash of everything the
// output is made from and of the three files, and the build is skipped only when both still match.
// Also importable: the preview server calls freshDocs(), and scripts/bundle-spec.mjs runs Redocly through redocly().
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const REDOCLY = join(ROOT, "node_modules", "@redocly", "cli", "bin", "cli.js");
const TEMPLATE = join(ROOT, "docs", "redoc-template.hbs");
const OPTIONS = join(ROOT, "docs", "redoc-options.json");
/** The API's alias in redocly.yaml, so its root file is named in one place only. */
const API = "rotate";

export const DOCS_DIR = join(ROOT, "dist", "docs");
const OUTPUTS = ["index.html", "openapi.yaml", "openapi.json"];
/** The build's record of what it was made from; hidden, so the preview server never serves it. */
const RECORD = ".sources";
/** Everything the output is made from (with the Redocly version); a change to any of them makes the docs stale. */
const SOURCES = ["openapi", "docs", "redocly.yaml", "scripts/redocly-rules.mjs", "scripts/build-docs.mjs"];

// Redoc 3.0.1's sidebar footer ("API docs by Redocly") fetches its logo from cdn.redoc.ly once the page is open,
// and no option turns that off. Offline it is a failed request and a console error, so the build points both
// logo URLs at small inline SVG wordmarks instead: the attribution stays, the request goes.
const LOGOS = new Map([
  ["https://cdn.redoc.ly/redoc/logo-mini-full.svg", wordmark("Redocly", 44)],
  ["https://cdn.redoc.ly/redoc/logo-mini.svg", wordmark("R", 10)],
]);

function wordmark(text, width) {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="12" viewBox="0 0 ${width} 12">` +
    `<text x="0" y="10" font-family="sans-serif" font-size="11" font-weight="700" fill="#3e63dd">${text}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** Anything in the page that a browser would fetch from another host just to show it. */
const REMOTE_LOADS = [
  { what: "a <script src>", pattern: /<script\b[^>]*\bsrc\s*=/gi },
  { what: "a remote <link>", pattern: /<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\//gi },
  {
    what: "a remote element source",
    pattern: /<(?:img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?\/\//gi,
  },
  {
    what: "a module import from a URL",
    pattern: /\bimport\s*(?:\(\s*|[^;"'`]*?\bfrom\s*)["'`](?:https?:)?\/\//g,
  },
  { what: "a CSS import from a URL", pattern: /@import\s+(?:url\(\s*)?["']?(?:https?:)?\/\//gi },
  { what: "the Redoc CDN", pattern: /cdn\.redoc\.ly/g },
];

/**
 * The docs in `outDir`, rebuilt unless they were built from exactly the current sources. Returns the files, how
 * long it took and whether the previous build was reused. Safe to run twice at once (tests may).
 */
export async function freshDocs(outDir = DOCS_DIR) {
  const started = performance.now();
  const sources = await sourcesHash();
  // No record, or one that does not parse, means: build.
  const record = await readFile(join(outDir, RECORD), "utf8")
    .then(JSON.parse)
    .catch(() => undefined);
  if (record?.sources === sources && (await outputsMatch(outDir, record.outputs))) {
    return { files: await sizes(outDir), ms: performance.now() - started, reused: true };
  }
  return buildDocs(outDir, sources, started);
}

async function buildDocs(outDir, sources, started) {
  await mkdir(outDir, { recursive: true });
  // Build into a private folder, then move each finished file into place: a reader never sees half a file.
  const work = await mkdtemp(join(outDir, ".build-"));
  try {
    // One bundle (YAML; the JSON is the same document, written below) and the page, side by side. The first
    // failure stops the other run (build-docs renders even a spec that bundle refuses); both have exited before
    // the folder is removed, so none writes into it afterwards.
    const stop = new AbortController();
    let failure;
    const run = (args) =>
      redocly(args, ROOT, stop.signal).catch((error) => {
        failure ??= error;
        stop.abort();
      });
    await Promise.all([
      run(["bundle", API, "--output", join(work, "openapi.yaml")]),
      run([
        "build-docs",
        API,
        "--inlineBundle",
        "--template",
        TEMPLATE,
        "--openapi",
        OPTIONS,
        "--output",
        join(work, "index.html"),
      ]),
    ]);
    if (failure) throw failure;
    const page = join(work, "index.html");
    await writeFile(page, selfContained(await readFile(page, "utf8")));
    // Byte for byte what `redocly bundle --ext json` writes, without a third Redocly start.
    const yaml = await readFile(join(work, "openapi.yaml"), "utf8");
    await writeFile(join(work, "openapi.json"), JSON.stringify(parseYaml(yaml), null, 2));

    const outputs = {};
    for (const name of OUTPUTS) outputs[name] = hash(await readFile(join(work, name)));
    await writeFile(join(work, RECORD), `${JSON.stringify({ sources, outputs }, null, 2)}\n`);
    // The old record goes first and the new one last, so an interrupted swap leaves no record and rebuilds.
    await rm(join(outDir, RECORD), { force: true });
    for (const name of [...OUTPUTS, RECORD]) await rename(join(work, name), join(outDir, name));
    return { files: await sizes(outDir), ms: performance.now() - started, reused: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function sizes(outDir) {
  return Promise.all(
    OUTPUTS.map(async (name) => ({ path: join(outDir, name), bytes: (await stat(join(outDir, name))).size })),
  );
}

function hash(content) {
  return createHash("sha256").update(content).digest("hex");
}

/** One hash of every source file's path and content, and of the Redocly version that turns them into docs. */
async function sourcesHash() {
  const digest = createHash("sha256");
  const redoclyPackage = JSON.parse(
    await readFile(join(ROOT, "node_modules/@redocly/cli/package.json"), "utf8"),
  );
  digest.update(`@redocly/cli ${redoclyPackage.version}\0`);
  const files = (await Promise.all(SOURCES.map((source) => filesUnder(source)))).flat().sort();
  for (const file of files)
    digest
      .update(`${file}\0`)
      .update(await readFile(join(ROOT, file)))
      .update("\0");
  return digest.digest("hex");
}

async function filesUnder(path) {
  const info = await stat(join(ROOT, path)).catch(() => undefined);
  if (!info?.isDirectory()) return info ? [path] : [];
  const entries = await readdir(join(ROOT, path));
  return (await Promise.all(entries.map((entry) => filesUnder(join(path, entry))))).flat();
}

async function outputsMatch(outDir, outputs) {
  for (const name of OUTPUTS) {
    const content = await readFile(join(outDir, name)).catch(() => undefined);
    if (!content || hash(content) !== outputs?.[name]) return false;
  }
  return true;
}

/** Swaps the CDN logos for inline ones, then refuses a page that would still load anything remotely. */
function selfContained(html) {
  let page = html;
  for (const [url, inline] of LOGOS) page = page.replaceAll(url, inline);
  const found = REMOTE_LOADS.flatMap(({ what, pattern }) =>
    [...page.matchAll(pattern)].map(
      (m) => `${what}: …${page.slice(m.index, m.index + 100).replace(/\s+/g, " ")}…`,
    ),
  );
  if (found.length > 0) {
    throw new Error(
      `The built page would load from the network when opened, so it would not work offline:\n  ${found.join("\n  ")}\n` +
        "Check that --inlineBundle is still passed and that docs/redoc-template.hbs links nothing remote; " +
        "after a Redocly upgrade, look for new CDN URLs in the inlined bundle.",
    );
  }
  return page;
}

/**
 * Runs the Redocly CLI with telemetry off; rejects with what it printed, minus its Node 20 banner. Aborting
 * `signal` ends the run, and the promise settles once the process has exited.
 */
export function redocly(args, cwd = ROOT, signal = undefined) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [REDOCLY, ...args], {
      cwd,
      env: {
        ...process.env,
        REDOCLY_TELEMETRY: "off",
        REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
        NO_COLOR: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    const stop = () => child.kill();
    signal?.addEventListener("abort", stop, { once: true });
    child.on("close", (code) => {
      signal?.removeEventListener("abort", stop);
      if (signal?.aborted) return reject(new Error(`redocly ${args[0]} stopped: the other run failed.`));
      if (code === 0) return resolve();
      // Drop the Node 20 end-of-life banner Redocly prints on every run; keep what went wrong.
      const detail = output
        .split("\n")
        .filter((line) => line.trim() && !/[║╔╚═]/.test(line))
        .join("\n");
      reject(new Error(`redocly ${args[0]} failed (exit code ${code}):\n${detail}`));
    });
  });
}

function formatBytes(bytes) {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(2)} MB` : `${(bytes / 1000).toFixed(1)} kB`;
}

export function describeBuild({ files, ms, reused }) {
  const lines = files.map(({ path, bytes }) => `  ${relative(ROOT, path).padEnd(24)} ${formatBytes(bytes)}`);
  const what = reused
    ? "API reference already built from these exact sources, kept"
    : `API reference built in ${(ms / 1000).toFixed(1)} s`;
  return `${what}:\n${lines.join("\n")}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = await freshDocs();
    console.log(describeBuild(result));
    console.log(
      `Open ${relative(process.cwd(), join(DOCS_DIR, "index.html"))} in a browser, or run npm run docs:preview.`,
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
