// Reads the built reference the way a reader does: dist/docs/index.html opened from disk in Debian's Chromium,
// with the network cut off. Expected text comes from the spec source, so the page is checked against the contract
// rather than against itself. Any request off disk, or any console error, fails the test that caused it.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LaunchedBrowser, launchChromium, runBrowserTests } from "../support/chromium.js";
import type { Json } from "../support/spec.js";
import { contrastRatio, isTransparent, saturation } from "./support/colors.js";
import { DOCS_DIR, dereferencedSpec, PAGE, ROOT } from "./support/docs-build.js";

const EXAMPLE_SECRET = "whsec_nZbY0eXaMpLeOnLyDoNotUse0aQ3rT5uV7wX9yZ1aB3c";
/** The operations in the order of a rotation, as the reference must show them. */
const PROCEDURE = ["getWebhook", "rotateWebhookSecret", "pingWebhook"] as const;
const LANGUAGES = ["cURL", "Python", "TypeScript"] as const;
const WARNING = "Warning — make your receiver accept both secrets first.";
const SCREENSHOT = join(ROOT, "test-results", "docs.png");

interface Operation {
  operationId: string;
  summary: string;
  description: string;
  responses: Record<
    string,
    { description: string; content: Record<string, { examples: Record<string, { value: unknown }> }> }
  >;
  "x-codeSamples": Array<{ label: string; source: string }>;
}

describe.skipIf(!runBrowserTests)("the published API reference, opened from disk with no network", () => {
  let browser: LaunchedBrowser | undefined;
  let page: Page;
  let spec: Json;
  let rotate: Operation;
  /** Every operation under `paths`, in spec order, with its path. */
  let operations: Array<Operation & { path: string }>;
  const operation = (id: string) => {
    const found = operations.find((o) => o.operationId === id);
    if (!found) throw new Error(`The spec has no operation ${id}.`);
    return found;
  };
  /** The operation's section of the page (Redoc names it after the tag and the operationId). */
  const section = (id: string) => page.locator(`[id="webhooks/${id.toLowerCase()}"]`);
  const offDisk: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // The docs project's global setup has built dist/docs/. The spec is bundled from source while the browser
    // starts and loads the page; when Chromium is missing and required, that is said first.
    const bundled = dereferencedSpec();
    bundled.catch(() => {}); // awaited below, where a failure fails this hook
    browser = await launchChromium({ offline: true, viewport: { width: 1400, height: 900 } });
    // Only the page file itself may load; anything else is recorded, then refused.
    await browser.context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      offDisk.push(url);
      return route.abort("internetdisconnected");
    });
    page = await browser.context.newPage();
    page.setDefaultTimeout(10_000);
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
    await page.goto(pathToFileURL(PAGE).href);
    // The attribution logo only appears once Redoc has hydrated the prerendered page: from then on clicks work.
    await page.locator('img[alt="redocly logo"]').waitFor();
    spec = await bundled;
    rotate = (spec.paths as Record<string, { post: Operation }>)["/api/v2/webhooks/{webhook_id}/rotate"]!
      .post;
    operations = Object.entries(spec.paths as Record<string, Record<string, Operation>>).flatMap(
      ([path, item]) => Object.values(item).map((op) => ({ ...op, path })),
    );
  });

  afterEach(() => {
    expect(offDisk.splice(0), "the page asked the network for something it should carry itself").toEqual([]);
    expect(consoleErrors.splice(0), "the browser console reported errors").toEqual([]);
  });

  afterAll(async () => {
    try {
      if (page && rotate) {
        // What a reader sees of the operation (rotate opened from the sidebar; the tests leave every panel on its
        // first tab, as on a fresh page), whole page, sidebar pinned at the top: a test artifact to review by eye.
        // The same page, not a reloaded one: loading 2.6 MB of Redoc again costs seconds and shows nothing new.
        await openOperation(rotate.operationId);
        mkdirSync(join(ROOT, "test-results"), { recursive: true });
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        await page.setViewportSize({ width: 1400, height: Math.min(height, 16_000) });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        console.log(`Docs screenshot: ${SCREENSHOT}`);
      }
    } finally {
      await browser?.close();
    }
  });

  it("shows the title, version, both servers, the contact and the licence on the overview", async () => {
    const info = spec.info as {
      title: string;
      version: string;
      contact: { url: string };
      license: { name: string };
    };
    await expectText(page.getByRole("heading", { level: 1 }).first(), `${info.title} (${info.version})`);
    for (const server of spec.servers as Array<{ url: string; description: string }>) {
      await visible(page.getByText(server.description, { exact: true }));
      await visible(page.getByText(server.url, { exact: true }).last());
    }
    await visible(page.getByRole("link", { name: info.contact.url }));
    await visible(page.getByText(info.license.name, { exact: true }));
  });

  it("walks through the rotation guide's four steps, in order", async () => {
    const guide = (spec.info as { description: string }).description;
    const steps = [...guide.matchAll(/^\d+\. \*\*(.+?)\*\*/gm)].map((m) => m[1] as string);
    expect(steps).toHaveLength(4);
    await visible(page.getByRole("heading", { name: "How to rotate without missing a verification" }));
    const list = page.locator("ol").filter({ hasText: steps[0] as string });
    await visible(list);
    const items = await list.locator(":scope > li").allInnerTexts();
    expect(items.map((item) => steps.findIndex((step) => item.startsWith(step)))).toEqual([0, 1, 2, 3]);
  });

  it("links the bundled spec for download, from files beside the page", async () => {
    for (const [title, file] of [
      ["OpenAPI 3.1 (YAML)", "openapi.yaml"],
      ["OpenAPI 3.1 (JSON)", "openapi.json"],
    ] as const) {
      const link = page.getByRole("link", { name: title, exact: true });
      await visible(link);
      const target = new URL((await link.getAttribute("href")) ?? "", page.url());
      expect(fileURLToPath(target)).toBe(join(DOCS_DIR, file));
    }
  });

  it("lists get, rotate and ping under Webhooks, in the order of the procedure", async () => {
    expect(operations.map((o) => o.operationId)).toEqual([...PROCEDURE]);
    await sidebarLink("Webhooks").click();
    const links = await page
      .locator('[data-component-name="Menu/Menu"]')
      .first()
      .getByRole("link")
      .allInnerTexts();
    const positions = PROCEDURE.map((id) =>
      links.findIndex((text) => text.startsWith(operation(id).summary)),
    );
    expect(
      positions.every((p) => p >= 0),
      `sidebar: ${links.join(" | ")}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  for (const id of PROCEDURE) {
    it(`opens ${id} from the sidebar with its summary, path, description, path parameter and auth`, async () => {
      const op = operation(id);
      const own = await openOperation(id);
      await visible(own.getByText(op.path, { exact: true }).first());
      await visible(own.getByText(firstSentence(op.description)).first());
      await visible(own.getByText("webhook_id", { exact: true }).first());
      await visible(own.getByText("bearerAuth", { exact: true }).first());
    });
  }

  it("shows the warning about accepting both secrets as a callout that stands out from the text", async () => {
    await scrolledTo(rotate.operationId);
    const callout = page.locator("blockquote").filter({ hasText: WARNING });
    await visible(callout);
    await callout.scrollIntoViewIfNeeded();
    await expect.poll(() => inViewport(callout)).toBe(true);
    const text = page.locator("p").filter({ hasText: firstSentence(rotate.description) });
    const [box, running] = await Promise.all([computedStyle(callout), computedStyle(text)]);
    // A background of its own, unlike the running text, and still readable on it.
    expect(isTransparent(box.backgroundColor), `callout background ${box.backgroundColor}`).toBe(false);
    expect(box.backgroundColor).not.toBe(running.backgroundColor);
    expect(contrastRatio(box.color, box.backgroundColor)).toBeGreaterThanOrEqual(4.5);
    // A thick coloured rule down its side, not a faint grey one.
    expect(Number.parseFloat(box.borderLeftWidth)).toBeGreaterThanOrEqual(3);
    expect(saturation(box.borderLeftColor), `callout rule ${box.borderLeftColor}`).toBeGreaterThan(0.5);
  });

  it("keeps the warning a readable callout in dark mode", async () => {
    const mode = () => page.locator("html").getAttribute("class");
    await scrolledTo(rotate.operationId);
    await page.getByTestId("color-mode-switcher").click();
    await expect.poll(mode).toMatch(/\bdark\b/);
    const box = await computedStyle(page.locator("blockquote").filter({ hasText: WARNING }));
    expect(isTransparent(box.backgroundColor)).toBe(false);
    expect(contrastRatio(box.color, box.backgroundColor)).toBeGreaterThanOrEqual(4.5);
    expect(saturation(box.borderLeftColor)).toBeGreaterThan(0.5);
    await page.getByTestId("color-mode-switcher").click();
    await expect.poll(mode).not.toMatch(/\bdark\b/);
  });

  for (const id of PROCEDURE) {
    it(`documents every status of ${id}, each with its description and example`, async () => {
      const op = operation(id);
      const own = await scrolledTo(id);
      const samples = own.locator(".panel-response-samples");
      const statuses = Object.keys(op.responses);
      expect(statuses.length).toBeGreaterThanOrEqual(4);
      // Last to first: each click then changes the panel (the first status is already shown), and the page ends
      // as a reader finds it.
      for (const status of statuses.reverse()) {
        const response = op.responses[status]!;
        await own.getByRole("tab", { name: status, exact: true }).click();
        await visible(own.getByText(firstSentence(response.description)).first());
        await samples.getByRole("button", { name: status, exact: true }).click();
        const example = Object.values(response.content["application/json"]?.examples ?? {})[0]?.value;
        const shown = samples.getByText(distinctive(example)).first();
        await visible(shown);
        expect(await unclipped(shown), `the ${id} ${status} example is cut off at the panel's edge`).toBe(
          true,
        );
      }
    });

    it(`offers the cURL, Python and TypeScript samples for ${id}, each showing its own code`, async () => {
      const op = operation(id);
      const panel = (await scrolledTo(id)).locator(".panel-request-samples");
      // Last to first, like the statuses above.
      for (const language of [...LANGUAGES].reverse()) {
        const sample = op["x-codeSamples"].find((s) => s.label === language);
        if (!sample) throw new Error(`The spec has no ${language} sample for ${id}.`);
        await panel.getByRole("button", { name: /^(cURL|Python|TypeScript)$/ }).click();
        // The language menu opens in a layer at the end of the page, outside the panel.
        await page.getByRole("menuitem", { name: language, exact: true }).click();
        await visible(panel.getByRole("button", { name: language, exact: true }));
        await expectText(panel.locator("code").first(), firstLine(sample.source));
      }
      // The SDK call shape is what a reader copies: check the TypeScript one names this very operation.
      expect(op["x-codeSamples"].find((s) => s.label === "TypeScript")?.source).toContain(
        `client.webhooks.${id}(`,
      );
    });
  }

  it("the guide's links open get, rotate and ping", async () => {
    for (const [text, id] of [
      ["get a webhook", "getWebhook"],
      ["rotate its secret", "rotateWebhookSecret"],
      ["ping it", "pingWebhook"],
    ] as const) {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.getByRole("link", { name: text, exact: true }).first().click();
      const heading = page.getByRole("heading", { name: operation(id).summary });
      await visible(heading);
      await expect.poll(() => inViewport(heading), { timeout: 5_000 }).toBe(true);
    }
  });

  it("documents the signed delivery: headers, signature format, envelope fields and event types", async () => {
    await sidebarLink("Deliveries").click();
    await sidebarLink("Receive a signed delivery").click();
    await visible(page.getByRole("heading", { name: "Receive a signed delivery" }));
    await visible(page.getByText("X-H-Webhook-Signature", { exact: true }).first());
    await visible(page.getByText("X-H-Webhook-Timestamp", { exact: true }).first());
    await visible(page.getByText(/followed by the lowercase hex HMAC-SHA256/).first());
    for (const field of ["type", "id", "created_at", "data"])
      await visible(page.getByText(field, { exact: true }).first());
    const schemas = (spec.components as { schemas: Record<string, { enum?: string[] }> }).schemas;
    const eventTypes = schemas.SessionEventType?.enum ?? [];
    expect(eventTypes.length).toBeGreaterThan(0);
    for (const type of eventTypes) await visible(page.getByText(`"${type}"`, { exact: true }).first());
    // The ping delivery, tied to the operation that sends it, and the open set of types.
    await visible(
      page
        .getByText(/operation \(POST \/api\/v2\/webhooks\/\{webhook_id\}\/ping\) sends one delivery/)
        .first(),
    );
    await visible(page.getByText(/new types may appear at any time/).first());
  });

  /** Opens an operation from the sidebar, as a reader would, and returns its section of the page. */
  async function openOperation(id: string): Promise<Locator> {
    const { summary } = operation(id);
    const link = sidebarLink(summary);
    if (!(await link.isVisible())) await sidebarLink("Webhooks").click();
    await link.click();
    await visible(page.getByRole("heading", { name: summary }));
    return section(id);
  }

  /**
   * Scrolls to an operation, as a reader who reads on would, and returns its section (opening it from the sidebar
   * is its own test, and another trip through the sidebar costs a re-render of the whole page). Redoc renders a
   * tag's operations only once the tag has been opened, so a test run on its own opens it from the sidebar.
   */
  async function scrolledTo(id: string): Promise<Locator> {
    if ((await section(id).count()) === 0) return openOperation(id);
    await section(id).scrollIntoViewIfNeeded();
    await visible(page.getByRole("heading", { name: operation(id).summary }));
    return section(id);
  }

  /** A link in the sidebar, matched by the start of its name (entries end with their HTTP method). */
  function sidebarLink(name: string): Locator {
    return page
      .locator('[data-component-name="Menu/Menu"]')
      .first()
      .getByRole("link", { name: new RegExp(`^${name}`) });
  }
});

/**
 * Waits for the element to be rendered visibly (anywhere on the page); the timeout error names the locator. It
 * does not scroll: every scroll makes Redoc re-render its sidebar, and where the element sits is for the checks
 * that care (a link must bring its target into view by itself).
 */
async function visible(locator: Locator): Promise<void> {
  await locator.waitFor({ state: "visible", timeout: 5_000 });
}

async function expectText(locator: Locator, text: string): Promise<void> {
  await visible(locator);
  await expect.poll(() => locator.textContent(), { timeout: 5_000 }).toContain(text);
}

function inViewport(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const { top, bottom } = element.getBoundingClientRect();
    return bottom > 0 && top < window.innerHeight;
  });
}

/** Whether the element reads in full without side-scrolling the nearest ancestor that clips overflow. */
function unclipped(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    let clip = element.parentElement;
    while (clip && getComputedStyle(clip).overflowX === "visible") clip = clip.parentElement;
    if (!clip) return true;
    const bounds = clip.getBoundingClientRect();
    const inside = [...element.getClientRects()].every(
      (box) => box.left >= bounds.left - 1 && box.right <= bounds.right + 1,
    );
    // Scrolling the element into view may have slid the panel sideways; a reader would not have.
    return inside && clip.scrollLeft === 0 && clip.scrollWidth <= clip.clientWidth + 1;
  });
}

function computedStyle(locator: Locator) {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    return {
      backgroundColor: style.backgroundColor,
      color: style.color,
      borderLeftWidth: style.borderLeftWidth,
      borderLeftColor: style.borderLeftColor,
    };
  });
}

function firstSentence(markdown: string): string {
  return (markdown.split(/(?<=\.)\s/)[0] ?? markdown).replace(/`/g, "").trim();
}

function firstLine(source: string): string {
  return source.split("\n")[0]?.trim() ?? "";
}

/** Text that shows the example is on screen: the seed's secret, else its first string, else its first key. */
function distinctive(value: unknown): string {
  if (JSON.stringify(value).includes(EXAMPLE_SECRET)) return EXAMPLE_SECRET;
  const text = firstString(value);
  if (text) return text;
  return value && typeof value === "object" ? (Object.keys(value)[0] ?? "") : String(value);
}

/** The first string anywhere in an example value: a short, distinctive piece of text to look for. */
function firstString(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    for (const item of Object.values(value)) {
      const found = firstString(item);
      if (found) return found;
    }
  }
  return "";
}
