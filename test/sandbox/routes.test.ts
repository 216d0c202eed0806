// What the sandbox answers over HTTP once the mock's common rules have passed (routing only; no server here).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { answerSandboxRequest, isSandboxPath, SANDBOX_WEBHOOK_ID, Sandbox } from "../../src/mock/sandbox.js";

const OTHER_ID = "00000000-0000-4000-8000-000000000000";
const boxes: Sandbox[] = [];
const closers: Array<() => void> = [];
afterEach(async () => {
  for (const box of boxes.splice(0)) await box.close();
  for (const close of closers.splice(0)) close();
});

async function receiverUrl(): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function box(receiver?: string): Promise<Sandbox> {
  const created = new Sandbox({ receiver, retryDelays: [] });
  boxes.push(created);
  return created;
}

const call = (sandbox: Sandbox, method: string, path: string, body = "") =>
  answerSandboxRequest(sandbox, method, path, async () => body);

describe("sandbox routes", () => {
  it("answer get, rotate and ping of the example webhook from state", async () => {
    const sandbox = await box(await receiverUrl());
    const base = `/api/v2/webhooks/${SANDBOX_WEBHOOK_ID}`;
    const rotated = await call(sandbox, "POST", `${base}/rotate`);
    expect(rotated?.status).toBe(200);
    expect((rotated?.body as { secret: string }).secret).toMatch(/^whsec_/);
    const got = await call(sandbox, "GET", base);
    expect(got).toEqual({ status: 200, body: sandbox.get() });
    expect(got?.body).not.toHaveProperty("secret");
    expect(await call(sandbox, "POST", `${base}/ping`)).toEqual({
      status: 200,
      body: { response_status: 204 },
    });
  });

  it("leave other ids and operations to the mock", async () => {
    const sandbox = await box(await receiverUrl());
    expect(await call(sandbox, "POST", `/api/v2/webhooks/${OTHER_ID}/rotate`)).toBeUndefined();
    expect(await call(sandbox, "DELETE", `/api/v2/webhooks/${SANDBOX_WEBHOOK_ID}`)).toBeUndefined();
    expect(await call(sandbox, "POST", `/_sandbox/webhooks/${OTHER_ID}/events`)).toBeUndefined();
    expect(await call(sandbox, "GET", "/api/v2/webhooks")).toBeUndefined();
  });

  it("queue an event: 202 with its id, the default type or the one given, then list and clear deliveries", async () => {
    const sandbox = await box(await receiverUrl());
    const path = `/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`;
    const first = await call(sandbox, "POST", path);
    const second = await call(
      sandbox,
      "POST",
      path,
      JSON.stringify({
        type: "session.failed",
        data: { session_id: "s", status: "failed", previous_status: "running" },
      }),
    );
    expect(first).toEqual({ status: 202, body: { event_id: expect.stringMatching(/^evt_[0-9A-Z]{26}$/) } });
    await sandbox.settled();
    const listed = await call(sandbox, "GET", "/_sandbox/deliveries");
    expect(
      (listed?.body as Array<{ event_id: string; event_type: string }>).map((d) => [
        d.event_id,
        d.event_type,
      ]),
    ).toEqual([
      [(first?.body as { event_id: string }).event_id, "session.status_updated"],
      [(second?.body as { event_id: string }).event_id, "session.failed"],
    ]);
    expect(await call(sandbox, "DELETE", "/_sandbox/deliveries")).toEqual({ status: 204 });
    expect((await call(sandbox, "GET", "/_sandbox/deliveries"))?.body).toEqual([]);
  });

  it("refuse a body that is not the event shape with a 422 naming the offending part", async () => {
    const sandbox = await box(await receiverUrl());
    const path = `/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`;
    expect(await call(sandbox, "POST", path, "{not json")).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body"], type: "json_invalid" }] },
    });
    expect(await call(sandbox, "POST", path, '{"type": 7}')).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body", "type"], input: 7 }] },
    });
    expect(await call(sandbox, "POST", path, '{"data": []}')).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ["body", "data"], input: [] }] },
    });
    expect(sandbox.eventRecords()).toEqual([]);
  });

  it("answer 405 with Allow for other methods on /_sandbox routes, and 400 for events without a receiver", async () => {
    const sandbox = await box();
    expect(await call(sandbox, "PUT", "/_sandbox/deliveries")).toMatchObject({
      status: 405,
      headers: { Allow: "GET, DELETE" },
    });
    expect(await call(sandbox, "GET", `/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`)).toMatchObject({
      status: 405,
      headers: { Allow: "POST" },
    });
    expect(await call(sandbox, "POST", `/_sandbox/webhooks/${SANDBOX_WEBHOOK_ID}/events`)).toMatchObject({
      status: 400,
    });
    expect(isSandboxPath("/_sandbox/deliveries")).toBe(true);
    expect(isSandboxPath(`/api/v2/webhooks/${SANDBOX_WEBHOOK_ID}`)).toBe(false);
  });
});
