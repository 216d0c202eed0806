// The timeline model and its HTML, from a real sandbox on a fake clock (tests move time, never wait for it):
// how attempts are classified (each kind produced by a real receiver on 127.0.0.1, so the sandbox's wording and
// ours cannot drift apart), what the summary counts, which moments land on the time axis and when, how changes
// are gathered into one redraw, and that the drawing escapes what requests sent.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Sandbox } from "../../src/mock/sandbox.js";
import { DeliveryTimeline, displayReceiver, type Timeline } from "../../src/mock/timeline.js";
import { renderTimeline, timelineStream } from "../../src/mock/timeline-page.js";
import { FakeClock } from "../support/fake-clock.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A receiver that answers each delivery with the next status of `statuses` (the last one repeats). */
async function receiver(statuses: number[] | "never"): Promise<string> {
  let count = 0;
  const server: Server = createServer((request, response) => {
    request.resume();
    if (statuses === "never") return; // holds the request open until the attempt times out
    const status = statuses[Math.min(count++, statuses.length - 1)] ?? 204;
    response.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
}

// A port that was just free: nothing listens there, so a connection is refused.
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hooks`;
}

/** A receiver in this process (no socket): each delivery gets the next status of `statuses` (the last repeats). */
function answering(statuses: number[]): typeof fetch {
  let count = 0;
  return (async () =>
    new Response(null, { status: statuses[Math.min(count++, statuses.length - 1)] })) as typeof fetch;
}

function sandboxFor(url: string, options: ConstructorParameters<typeof Sandbox>[0] = {}) {
  const clock = new FakeClock();
  const sandbox = new Sandbox({ receiver: url, retryDelays: [1], attemptTimeout: 10, clock, ...options });
  const timeline = new DeliveryTimeline(sandbox);
  cleanups.push(() => sandbox.close());
  cleanups.push(() => timeline.close());
  return { sandbox, timeline, clock };
}

describe("the timeline of a sandbox", () => {
  it("classifies each attempt as the receiver ended it: accepted, rejected, timeout or refused", async () => {
    const results: Record<string, unknown> = {};
    for (const [name, url] of [
      ["accepted", await receiver([204])],
      ["rejected", await receiver([401])],
      ["timeout", await receiver("never")],
      ["refused", await closedPort()],
    ] as const) {
      const { sandbox, timeline, clock } = sandboxFor(url, { retryDelays: [] });
      sandbox.enqueue();
      // Real sockets answer (or refuse) in real time; the one that never answers times out on the clock.
      if (name === "timeout") {
        while (sandbox.eventRecords()[0]?.state === "pending") await clock.advance(10_000);
      }
      await sandbox.settled();
      const [row] = timeline.snapshot().rows;
      results[name] = row?.attempts.map(({ result, status }) => ({ result, status }));
    }
    expect(results).toEqual({
      accepted: [{ result: "accepted", status: 204 }],
      rejected: [{ result: "rejected", status: 401 }],
      timeout: [{ result: "timeout", status: null }],
      refused: [{ result: "refused", status: null }],
    });
  });

  it("counts sent, failed at first attempt, recovered and lost, and marks rotation, ping and retirement", async () => {
    // First delivery refused (401), its retry 1 s later accepted; then a 500 for good: the third event is lost.
    const { sandbox, timeline, clock } = sandboxFor("http://receiver.test/hooks", {
      fetch: answering([401, 204, 204, 204, 500]),
    });
    sandbox.enqueue("session.idle");
    await clock.advance(1000);
    const rotatedAt = clock.now();
    sandbox.rotate();
    await sandbox.ping();
    sandbox.enqueue("session.completed");
    await clock.advance(2000);
    timeline.mark("retirement", "retired 1 old secret(s)");
    sandbox.enqueue("session.failed");
    await clock.advance(1000);
    await sandbox.settled();

    const snapshot = timeline.snapshot();
    expect(snapshot.summary).toEqual({
      sent: 3,
      attempts: 5,
      failed_first_attempt: 2,
      recovered_by_retries: 1,
      lost: 1,
      pending: 0,
    });
    expect(snapshot.rows.map((row) => [row.event_type, row.state, row.attempts.map((a) => a.next)])).toEqual([
      ["session.idle", "delivered", ["retry", "delivered"]],
      ["session.completed", "delivered", ["delivered"]],
      ["session.failed", "lost", ["retry", "lost"]],
    ]);
    // Attempts after the rotation are signed with secret #2, and the moments come in order.
    expect(snapshot.rows.map((row) => row.attempts.map((a) => a.secret_generation))).toEqual([
      [1, 1],
      [2],
      [2, 2],
    ]);
    expect(
      snapshot.markers.map(({ kind, label, secret_generation }) => [kind, label, secret_generation]),
    ).toEqual([
      ["rotation", "rotated to secret #2", 2],
      ["ping", "ping: 204", 2],
      ["retirement", "retired 1 old secret(s)", 2],
    ]);
    // Moments are dated on the sandbox's clock: the rotation when it happened, the retirement 2 s later.
    expect(snapshot.markers.map((marker) => Date.parse(marker.at) - rotatedAt)).toEqual([0, 0, 2000]);
    expect(snapshot.webhook).toMatchObject({
      secret_generation: 2,
      disabled: false,
      consecutive_failures: 2,
    });
    expect(JSON.stringify(snapshot)).not.toMatch(/whsec_/);
  });

  it("gathers a burst of changes into one redraw, 100 ms later on the sandbox's clock", async () => {
    const { sandbox, timeline, clock } = sandboxFor("http://receiver.test/hooks", {
      fetch: answering([204]),
    });
    let redraws = 0;
    timeline.subscribe(() => {
      redraws += 1;
    });
    for (let i = 0; i < 3; i += 1) sandbox.enqueue();
    await clock.advance(99); // three events queued and delivered meanwhile
    expect(redraws).toBe(0);
    await clock.advance(1);
    expect(redraws).toBe(1);
    expect(timeline.snapshot().summary).toMatchObject({ sent: 3, attempts: 3, pending: 0 });
  });

  it("keeps the newest rows when asked for a limit, and still counts every event", async () => {
    const { sandbox, timeline } = sandboxFor("http://receiver.test/hooks", { fetch: answering([204]) });
    for (let i = 0; i < 5; i += 1) sandbox.enqueue(`session.step_${i}`);
    await sandbox.settled();
    const snapshot = timeline.snapshot(2);
    expect(snapshot.rows.map((row) => row.event_type)).toEqual(["session.step_3", "session.step_4"]);
    expect([snapshot.rows_total, snapshot.summary.sent]).toEqual([5, 5]);
  });

  it("streams the current view at once, then again after a change", async () => {
    const { sandbox, timeline, clock } = sandboxFor("http://receiver.test/hooks", {
      fetch: answering([204]),
    });
    const reader = timelineStream(timeline).getReader();
    const decoder = new TextDecoder();
    const nextView = async (): Promise<Timeline> => {
      let text = "";
      while (!/\n\n$/.test(text) || !text.includes("event: timeline"))
        text += decoder.decode((await reader.read()).value, { stream: true });
      const data = /^data: (.*)$/m.exec(text.slice(text.lastIndexOf("event: timeline")))?.[1] ?? "";
      return (JSON.parse(data) as { timeline: Timeline }).timeline;
    };
    expect((await nextView()).summary.sent).toBe(0);
    const id = sandbox.enqueue();
    await clock.advance(100);
    const seen = await nextView();
    expect(seen.rows.map((row) => row.event_id)).toEqual([id]);
    await reader.cancel();
  });

  it("draws event types as text, never as markup", async () => {
    const { sandbox, timeline } = sandboxFor("http://receiver.test/hooks", { fetch: answering([204]) });
    sandbox.enqueue('<img src=x onerror="alert(1)">');
    await sandbox.settled();
    const html = renderTimeline(timeline.snapshot());
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).not.toContain("<img");
  });
});

describe("the receiver as shown and filed", () => {
  it("masks a password and query values, which may be credentials, and keeps the rest", () => {
    expect(displayReceiver("https://ops:hunter2@hooks.example.com:8443/in?token=abc&x=1#frag")).toBe(
      "https://ops:***@hooks.example.com:8443/in?token=***&x=***",
    );
    expect(displayReceiver("http://127.0.0.1:8787/webhooks")).toBe("http://127.0.0.1:8787/webhooks");
  });
});
