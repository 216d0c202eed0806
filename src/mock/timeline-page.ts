// The timeline as HTML, in two forms drawn by the same functions:
//
//   - the live page at `/_sandbox/` (npm start -- --receiver ..., or npm run rehearse -- --watch): webhook,
//     summary and timeline rendered here, then redrawn from `GET /_sandbox/deliveries/stream`, a Server-Sent
//     Events stream whose every message carries the whole current view (the model as JSON and its HTML);
//   - the rehearsal report (`npm run rehearse -- --report rehearsal.html`): one static file, no script at all.
//
// Everything is in this file: no build step, no remote script, style or font, and a Content-Security-Policy
// that would block one anyway. Outcomes are told by words and shapes as well as colours (a change board may
// print the report in black and white), and every control is a native button, input or <details>.
import { createHash } from "node:crypto";
import type { MockAnswer, StatefulHandler } from "../mock-engine.js";
import type {
  AttemptResult,
  DeliverySummary,
  DeliveryTimeline,
  Timeline,
  TimelineMarker,
  TimelineRow,
  WebhookState,
} from "./timeline.js";

/** The page's own address, and its stream. */
export const PAGE_ROUTE = "/_sandbox/";
const STREAM_ROUTE = "/_sandbox/deliveries/stream";
/** Rows the live page draws (the summary counts every event); the report draws them all. */
const LIVE_ROWS = 100;
const HEARTBEAT_MS = 15_000;

// ---------------------------------------------------------------------------------------------------
// Words, shapes and colours

/** Escapes text for HTML content and attribute values: every value drawn passes through here. */
function escapeHtml(text: string | number): string {
  return String(text).replace(
    /[&<>"']/g,
    (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char] ?? char,
  );
}

// A glyph (shape) and a word for each result, so colour is never the only cue.
const RESULT_LOOK: Record<AttemptResult, { glyph: string; word: string }> = {
  accepted: { glyph: "✓", word: "accepted" },
  rejected: { glyph: "✗", word: "rejected" },
  timeout: { glyph: "◷", word: "timeout" },
  refused: { glyph: "⊘", word: "refused" },
  unreachable: { glyph: "!", word: "unreachable" },
};
const MARKER_GLYPH: Record<TimelineMarker["kind"], string> = {
  rotation: "↻",
  ping: "◆",
  retirement: "✂",
  disabled: "■",
};
const STATE_WORDS: Record<TimelineRow["state"], string> = {
  delivered: "✓ delivered",
  lost: "✗ LOST",
  pending: "… pending",
};

const clock = (iso: string) => `${iso.slice(11, 23)}`;
const when = (iso: string | null) =>
  iso === null ? "never" : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

const STYLE = `
:root { color-scheme: light; --ok: #1b7a3a; --bad: #b3261e; --warn: #8a5a00; --muted: #5d6470; --line: #d5d9e0;
  --label: 17rem; font: 15px/1.45 "DejaVu Sans", "Liberation Sans", system-ui, sans-serif; color: #1c1f24; }
body { margin: 0; background: #f6f7f9; }
header, main { max-width: 78rem; margin: 0 auto; padding: 0 1.25rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0 1.5rem; padding-top: 1rem; }
h1 { font-size: 1.5rem; margin: 0.2rem 0; } h2 { font-size: 1.1rem; margin: 0 0 0.6rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
code, .mono { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 0.86em; }
.muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1.25rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.counts { display: flex; flex-wrap: wrap; gap: 0.75rem; margin: 0; padding: 0; list-style: none; }
.counts li { border: 2px solid var(--line); border-radius: 8px; padding: 0.4rem 0.9rem; min-width: 9rem; }
.counts strong { display: block; font-size: 1.6rem; line-height: 1.2; }
.counts .bad { border-color: var(--bad); color: var(--bad); border-style: double; border-width: 4px; }
.verdict { display: inline-block; font-size: 1.4rem; font-weight: bold; padding: 0.2rem 0.8rem; border-radius: 6px; }
.verdict.pass { color: #fff; background: var(--ok); } .verdict.fail { color: #fff; background: var(--bad); outline: 3px dashed var(--bad); outline-offset: 2px; }
.controls { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: end; }
button, input { font: inherit; } input { padding: 0.3rem 0.4rem; border: 1px solid #8b93a1; border-radius: 4px; }
button { padding: 0.35rem 0.9rem; border: 1px solid #1d4ed8; background: #1d4ed8; color: #fff; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: #1d4ed8; }
:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.legend { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0 0 0.75rem; padding: 0; list-style: none; font-size: 0.85rem; }
.legend .mark { position: static; }
.timeline { overflow: auto; max-height: 70vh; border-top: 1px solid var(--line); }
body.report .timeline { max-height: none; overflow: visible; }
.axis, .row > summary { display: grid; grid-template-columns: var(--label) 1fr; }
.axis { position: sticky; top: 0; background: #fff; z-index: 2; border-bottom: 1px solid var(--line); }
.track { position: relative; margin-right: 7rem; }
.axis .track { min-height: 3.2rem; }
.tick { position: absolute; bottom: 0; font-size: 0.72rem; color: var(--muted); border-left: 1px solid var(--line); padding-left: 2px; }
.flag { position: absolute; font-size: 0.74rem; white-space: nowrap; padding: 0 0.3rem; border-left: 2px solid; background: #fff; }
.flag.end { transform: translateX(-100%); border-left: 0; border-right: 2px solid; }
.flag.rotation { color: #6d28d9; } .flag.ping { color: #0e7490; } .flag.retirement { color: var(--warn); } .flag.disabled { color: var(--bad); }
.rows { position: relative; margin: 0; padding: 0; list-style: none; }
.lines { position: absolute; inset: 0 7rem 0 var(--label); pointer-events: none; }
.line { position: absolute; top: 0; bottom: 0; border-left: 2px dashed; opacity: 0.55; }
.line.rotation { color: #6d28d9; } .line.ping { color: #0e7490; border-left-style: dotted; } .line.retirement { color: var(--warn); } .line.disabled { color: var(--bad); }
.row { border-bottom: 1px solid #eef0f3; }
.row > summary { cursor: pointer; list-style: none; padding: 0.2rem 0; }
.row > summary::-webkit-details-marker { display: none; }
.row > summary > .what { padding-right: 0.5rem; overflow: hidden; white-space: nowrap; font-size: 0.85rem; line-height: 1.3; }
.what .type { font-weight: 600; display: block; overflow: hidden; text-overflow: ellipsis; }
.what .id { font-size: 0.7rem; color: var(--muted); }
.state { font-size: 0.78rem; font-weight: 600; } .state.lost { color: var(--bad); } .state.delivered { color: var(--ok); } .state.pending { color: var(--warn); }
.row .track { min-height: 1.6rem; }
.mark { position: absolute; display: inline-block; white-space: nowrap; font: 0.72rem/1.35 "DejaVu Sans Mono", ui-monospace, monospace;
  padding: 0 0.3rem; border: 2px solid; background: #fff; }
.mark.accepted { color: var(--ok); border-radius: 999px; }
.mark.rejected { color: var(--bad); border-radius: 0; }
.mark.timeout { color: var(--warn); border-style: dashed; border-radius: 4px; }
.mark.refused { color: var(--bad); border-style: double; border-width: 3px; border-radius: 0; }
.mark.unreachable { color: var(--bad); border-style: dotted; }
table.attempts { border-collapse: collapse; margin: 0.3rem 0 0.6rem var(--label); font-size: 0.82rem; }
table.attempts th, table.attempts td { text-align: left; padding: 0.1rem 0.8rem 0.1rem 0; }
.moments { columns: 2 22rem; font-size: 0.85rem; margin: 0.75rem 0 0; }
.empty { color: var(--muted); font-style: italic; }
@media print { body { background: #fff; } section { break-inside: avoid-page; border-color: #999; }
  .verdict.pass, .verdict.fail { background: none; color: inherit; border: 3px solid; } .controls, #result { display: none; } }
`;

// ---------------------------------------------------------------------------------------------------
// The sections, from the model

function renderWebhook(webhook: WebhookState): string {
  const health =
    webhook.last_delivery_status === null
      ? "no delivery yet"
      : webhook.last_delivery_status === "succeeded"
        ? "✓ last delivery succeeded"
        : `✗ last delivery failed: ${webhook.last_delivery_error ?? "unknown"}`;
  return `<dl class="facts">
<dt>Receiver</dt><dd><code>${escapeHtml(webhook.receiver || "(none)")}</code></dd>
<dt>Webhook</dt><dd><code>${escapeHtml(webhook.id)}</code></dd>
<dt>Signing with</dt><dd><strong data-testid="generation">secret #${webhook.secret_generation}</strong> <span class="muted">(secrets are named by generation, never shown)</span></dd>
<dt>Disabled</dt><dd data-testid="disabled">${webhook.disabled ? "■ YES: no more deliveries" : "no"}</dd>
<dt>Delivery health</dt><dd data-testid="health">${escapeHtml(health)}; ${webhook.consecutive_failures} consecutive failure(s); last success ${escapeHtml(when(webhook.last_success_at))}</dd>
</dl>`;
}

function renderSummary(summary: DeliverySummary): string {
  const count = (name: string, label: string, value: number, bad = false) =>
    `<li class="${bad && value > 0 ? "bad" : ""}" data-testid="${name}"><strong>${value}</strong>${escapeHtml(label)}</li>`;
  return `<ul class="counts">
${count("sent", "sent", summary.sent)}
${count("failed-first", "failed at the first attempt", summary.failed_first_attempt)}
${count("recovered", "recovered by retries", summary.recovered_by_retries)}
${count("lost", "lost", summary.lost, true)}
${count("pending", "still pending", summary.pending)}
</ul>
<p class="muted">${summary.attempts} attempt(s) in all. Pings are not events: they appear on the time axis.</p>`;
}

function attemptMark(attempt: TimelineRow["attempts"][number], left: string, lane: number): string {
  const look = RESULT_LOOK[attempt.result];
  const outcome = attempt.status ?? look.word;
  const detail =
    `attempt ${attempt.attempt} at ${clock(attempt.sent_at)}, signed with secret #${attempt.secret_generation}: ` +
    `${look.word}${attempt.status === null ? "" : ` (${attempt.status})`} in ${attempt.latency_ms} ms` +
    (attempt.next === "retry"
      ? `, retry in ${attempt.retry_in_s} s`
      : attempt.next === "lost"
        ? ", then lost"
        : "");
  return `<span class="mark ${attempt.result}" style="left:${left};top:${0.1 + lane * 1.5}rem" title="${escapeHtml(detail)}" data-generation="${attempt.secret_generation}">${look.glyph} ${escapeHtml(outcome)} #${attempt.secret_generation} ${Math.round(attempt.latency_ms)}ms</span>`;
}

// Marks closer than this (in % of the track) go to the next lane, so none hides another; axis flags,
// with longer words, need more room.
const LANE_GAP_PCT = 11;
const FLAG_GAP_PCT = 22;
// Past this, a flag hangs to the left of its line, so its words stay inside the page.
const FLAG_FLIP_PCT = 75;

function lanes(positions: readonly number[], gap = LANE_GAP_PCT): number[] {
  const lastInLane: number[] = [];
  return positions.map((position) => {
    let lane = lastInLane.findIndex((last) => position - last >= gap);
    if (lane === -1) lane = lastInLane.length;
    lastInLane[lane] = position;
    return lane;
  });
}

function renderRow(row: TimelineRow, at: (iso: string) => number): string {
  const positions = row.attempts.map((attempt) => at(attempt.sent_at));
  const laneOf = lanes(positions);
  const marks = row.attempts
    .map((attempt, index) =>
      attemptMark(attempt, `${(positions[index] ?? 0).toFixed(2)}%`, laneOf[index] ?? 0),
    )
    .join("");
  const height = Math.max(1, ...laneOf.map((lane) => lane + 1)) * 1.5 + 0.2;
  const retries = row.attempts.length > 1 ? ` after ${row.attempts.length} attempts` : "";
  const table = row.attempts
    .map(
      (attempt) =>
        `<tr><td>${attempt.attempt}</td><td class="mono">${clock(attempt.sent_at)}</td><td>secret #${attempt.secret_generation}</td>` +
        `<td>${RESULT_LOOK[attempt.result].glyph} ${escapeHtml(attempt.status ?? RESULT_LOOK[attempt.result].word)}${attempt.error ? ` (${escapeHtml(attempt.error)})` : ""}</td>` +
        `<td>${attempt.latency_ms} ms</td><td>${attempt.next === "retry" ? `retry in ${attempt.retry_in_s} s` : attempt.next}</td></tr>`,
    )
    .join("");
  return `<li><details class="row" data-event="${escapeHtml(row.event_id)}"><summary>
<span class="what"><span class="type">${escapeHtml(row.event_type)}</span><span class="state ${row.state}">${STATE_WORDS[row.state]}${row.state === "pending" ? "" : retries}</span> <span class="id">${escapeHtml(row.event_id.slice(0, 14))}…</span></span>
<span class="track" style="min-height:${height}rem">${marks}</span></summary>
${row.attempts.length === 0 ? '<p class="empty">not sent: the webhook is disabled</p>' : `<table class="attempts"><thead><tr><th>attempt</th><th>sent (UTC)</th><th>signed with</th><th>outcome</th><th>latency</th><th>then</th></tr></thead><tbody>${table}</tbody></table>`}
</details></li>`;
}

/** The legend, the time axis with its marks, one row per event, and the marks again as a list of moments. */
export function renderTimeline(timeline: Timeline): string {
  const times = [
    ...timeline.rows.flatMap((row) => row.attempts.map((attempt) => Date.parse(attempt.sent_at))),
    ...timeline.markers.map((marker) => Date.parse(marker.at)),
  ];
  const legend = `<ul class="legend" aria-label="Legend">${Object.entries(RESULT_LOOK)
    .map(([result, look]) => `<li><span class="mark ${result}">${look.glyph} ${look.word}</span></li>`)
    .join("")}<li>"#2": signed with secret #2, then the latency</li></ul>`;
  if (times.length === 0)
    return `${legend}<p class="empty">No delivery yet. Send an event, or start the mock with --events-every 1.</p>`;
  // Shown rows set the window; a marker before the oldest shown row is left to the list of moments.
  const rowTimes = timeline.rows.flatMap((row) => row.attempts.map((attempt) => Date.parse(attempt.sent_at)));
  // A loop, not Math.min(...): a day-long rehearsal has tens of thousands of attempts.
  const start = (rowTimes.length > 0 ? rowTimes : times).reduce((a, b) => Math.min(a, b));
  const end = times.reduce((a, b) => Math.max(a, b));
  const span = Math.max(end - start, 1000);
  const at = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - start) / span) * 100));
  const visible = timeline.markers.filter((marker) => Date.parse(marker.at) >= start);
  const flagLanes = lanes(
    visible.map((marker) => at(marker.at) - (at(marker.at) > FLAG_FLIP_PCT ? FLAG_GAP_PCT : 0)),
    FLAG_GAP_PCT,
  );
  const flags = visible
    .map(
      (marker, index) =>
        `<span class="flag ${marker.kind}${at(marker.at) > FLAG_FLIP_PCT ? " end" : ""}" style="left:${at(marker.at).toFixed(2)}%;top:${(flagLanes[index] ?? 0) * 1.1}rem">${MARKER_GLYPH[marker.kind]} ${escapeHtml(marker.label)}</span>`,
    )
    .join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (share) =>
        `<span class="tick" style="left:${share * 100}%">${clock(new Date(start + share * span).toISOString()).slice(0, span < 10_000 ? 10 : 8)}</span>`,
    )
    .join("");
  const axisHeight = 1.1 * Math.max(1, ...flagLanes.map((lane) => lane + 1)) + 1.3;
  const lines = visible
    .map((marker) => `<span class="line ${marker.kind}" style="left:${at(marker.at).toFixed(2)}%"></span>`)
    .join("");
  const rows = timeline.rows.map((row) => renderRow(row, at)).join("\n");
  const hidden =
    timeline.rows_total > timeline.rows.length
      ? `<p class="muted">Showing the newest ${timeline.rows.length} of ${timeline.rows_total} events.</p>`
      : "";
  const moments = timeline.markers
    .map(
      (marker) =>
        `<li>${MARKER_GLYPH[marker.kind]} <span class="mono">${clock(marker.at)}</span> ${escapeHtml(marker.label)}</li>`,
    )
    .join("");
  return `${legend}${hidden}
<div class="timeline" tabindex="0" role="region" aria-label="Delivery attempts over time: one row per event; open a row for its attempts">
<div class="axis" aria-hidden="true"><span class="muted">event · time (UTC) →</span><span class="track" style="min-height:${axisHeight}rem">${ticks}${flags}</span></div>
<ol class="rows"><li class="lines" aria-hidden="true">${lines}</li>
${rows}
</ol></div>
<h3>Moments</h3>${moments === "" ? '<p class="empty">No rotation, ping or retirement yet.</p>' : `<ol class="moments">${moments}</ol>`}`;
}

// ---------------------------------------------------------------------------------------------------
// The live page

// Runs in the page: reads the stream with fetch (EventSource cannot send the Authorization header) and
// swaps the three sections; open rows and focus survive a redraw. The buttons call the sandbox's routes.
const CLIENT_SCRIPT = `
const body = document.body;
const token = body.dataset.token;
const auth = token ? { Authorization: "Bearer " + token } : {};
const webhookId = body.dataset.webhook;
const connection = document.getElementById("connection");
const result = document.getElementById("result");
const open = new Set();
document.addEventListener("toggle", (event) => {
  const id = event.target.dataset && event.target.dataset.event;
  if (id) event.target.open ? open.add(id) : open.delete(id);
}, true);

function redraw(view) {
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-event]");
  const focusedId = focused ? focused.dataset.event : undefined;
  const scroller = document.querySelector(".timeline");
  const scroll = scroller ? scroller.scrollTop : 0;
  // Following the newest rows (scrolled to the end) keeps following them; a reader scrolled up stays put.
  const atEnd = !scroller || scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 8;
  for (const name of ["webhook", "summary", "timeline"]) document.getElementById(name).innerHTML = view.html[name];
  for (const details of document.querySelectorAll("details[data-event]")) if (open.has(details.dataset.event)) details.open = true;
  const again = document.querySelector(".timeline");
  if (again) again.scrollTop = atEnd ? again.scrollHeight : scroll;
  if (focusedId) {
    const row = document.querySelector('details[data-event="' + CSS.escape(focusedId) + '"] > summary');
    if (row) row.focus();
  }
  body.dataset.updated = view.timeline.generated_at;
}

async function follow() {
  for (;;) {
    try {
      const response = await fetch(body.dataset.stream, { headers: { ...auth, Accept: "text/event-stream" } });
      if (!response.ok || !response.body) throw new Error("the stream answered " + response.status);
      connection.textContent = "● live";
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\\n\\n")) !== -1) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message.split("\\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\\n");
          if (/^event: timeline$/m.test(message) && data) redraw(JSON.parse(data));
        }
      }
      connection.textContent = "○ disconnected: the mock stopped? retrying";
    } catch (error) {
      connection.textContent = "○ not connected (" + error.message + "): retrying";
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function call(label, path, init) {
  result.textContent = label + "…";
  try {
    const response = await fetch(path, { method: "POST", ...init, headers: { ...auth, ...(init && init.headers) } });
    // Rotate answers the new secret: it is never read here, only the status.
    const text = path.endsWith("/rotate") ? "" : await response.text();
    let detail = "";
    try { detail = text ? JSON.stringify(JSON.parse(text)) : ""; } catch { detail = text; }
    result.textContent = label + ": " + response.status + (detail ? " " + detail.slice(0, 200) : "") +
      (path.endsWith("/rotate") && response.ok ? " (the new secret is in the answer; this page does not show it)" : "");
  } catch (error) {
    result.textContent = label + " failed: " + error.message;
  }
}

const form = document.getElementById("send");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const type = document.getElementById("event-type").value.trim();
    call("Send " + (type || "an event"), "/_sandbox/webhooks/" + webhookId + "/events", {
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(type ? { type } : {}),
    });
  });
  document.getElementById("ping").addEventListener("click", () => call("Ping", "/api/v2/webhooks/" + webhookId + "/ping"));
  document.getElementById("rotate").addEventListener("click", () => call("Rotate", "/api/v2/webhooks/" + webhookId + "/rotate"));
}
follow();
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
/** The live page's policy: its own inline script (by hash) and style, requests to its own origin only. */
const LIVE_PAGE_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(CLIENT_SCRIPT)}`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const EVENT_TYPES = [
  "session.status_updated",
  "session.awaiting_tool_results",
  "session.idle",
  "session.completed",
  "session.failed",
  "session.timed_out",
];

export interface LivePageOptions {
  /** The bearer token the buttons and the stream send; shown on the page. Omit for a watch-only page. */
  token?: string;
  /** Show the buttons (off while a rehearsal drives the sandbox). */
  controls: boolean;
  /** Words under the title, e.g. which rehearsal is running. */
  subtitle: string;
}

function renderLivePage(timeline: Timeline, options: LivePageOptions): string {
  const controls = options.controls
    ? `<section aria-labelledby="controls-h"><h2 id="controls-h">Drive it</h2>
<form id="send" class="controls"><label>Event type<br><input id="event-type" list="event-types" value="session.status_updated" size="30"></label>
<datalist id="event-types">${EVENT_TYPES.map((type) => `<option value="${type}">`).join("")}</datalist>
<button type="submit">Send an event</button><button type="button" id="ping" class="secondary">Ping</button><button type="button" id="rotate" class="secondary">Rotate the secret</button></form>
<p class="muted">These buttons call the sandbox's own routes with <code>Authorization: Bearer ${escapeHtml(options.token ?? "")}</code>. The mock accepts any bearer token, and this page is served only to this machine (loopback, with a <code>Host</code> check), so showing it gives nothing away.</p>
<p id="result" role="status" aria-live="polite"></p></section>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rotation sandbox · live</title><style>${STYLE}</style></head>
<body data-token="${escapeHtml(options.token ?? "")}" data-webhook="${escapeHtml(timeline.webhook.id)}" data-stream="${STREAM_ROUTE}" data-updated="${timeline.generated_at}">
<header><h1>Rotation sandbox</h1><p class="muted">${escapeHtml(options.subtitle)}</p><p id="connection" role="status">○ connecting…</p></header>
<main>
<section aria-labelledby="webhook-h"><h2 id="webhook-h">Webhook</h2><div id="webhook">${renderWebhook(timeline.webhook)}</div></section>
<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2><div id="summary">${renderSummary(timeline.summary)}</div></section>
${controls}
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2><div id="timeline">${renderTimeline(timeline)}</div></section>
</main>
<script>${CLIENT_SCRIPT}</script>
</body></html>`;
}

/** One stream message: the model for programs, and its HTML for the page. */
function streamMessage(timeline: Timeline): string {
  const view = {
    timeline,
    html: {
      webhook: renderWebhook(timeline.webhook),
      summary: renderSummary(timeline.summary),
      timeline: renderTimeline(timeline),
    },
  };
  return `event: timeline\ndata: ${JSON.stringify(view)}\n\n`;
}

/**
 * The SSE stream: the current view at once, then again after every change (coalesced by the timeline),
 * and a comment line every 15 s so proxies and idle timers keep the connection. Ends when the timeline does.
 */
export function timelineStream(timeline: DeliveryTimeline, rows = LIVE_ROWS): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stop: () => void = () => undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const push = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the reader went away between two changes
        }
      };
      const heartbeat = setInterval(() => push(": still here\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      const unsubscribe = timeline.subscribe(
        () => push(streamMessage(timeline.snapshot(rows))),
        () => {
          stop();
          try {
            controller.close();
          } catch {
            // already closed or cancelled
          }
        },
      );
      stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      push(`retry: 1000\n\n${streamMessage(timeline.snapshot(rows))}`);
    },
    cancel() {
      stop();
    },
  });
}

/** Headers of the page: no caching, the policy above, and no framing. */
const PAGE_HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "content-security-policy": LIVE_PAGE_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};
const STREAM_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
};

/** The page or the stream for `GET path`, or undefined for any other request. */
export function answerTimelineRequest(
  method: string,
  path: string,
  timeline: DeliveryTimeline,
  page: LivePageOptions,
): MockAnswer | undefined {
  if (method !== "GET") return undefined;
  if (path === PAGE_ROUTE || path === "/_sandbox")
    return { status: 200, headers: PAGE_HEADERS, raw: renderLivePage(timeline.snapshot(LIVE_ROWS), page) };
  if (path === STREAM_ROUTE) return { status: 200, headers: STREAM_HEADERS, raw: timelineStream(timeline) };
  return undefined;
}

/**
 * The sandbox's handler with the live page and its stream added, for `npm start`. The page itself needs no
 * token (a browser tab cannot send one); the stream, like every other sandbox route, does.
 */
export function withLivePage(
  inner: StatefulHandler,
  timeline: DeliveryTimeline,
  token: string,
): StatefulHandler {
  const page: LivePageOptions = {
    token,
    controls: true,
    subtitle: "Live: events, attempts and rotations as they happen.",
  };
  return {
    routes: [
      ...(inner.routes ?? []),
      { method: "GET", path: "/_sandbox", secured: false },
      { method: "GET", path: PAGE_ROUTE, secured: false },
      { method: "GET", path: STREAM_ROUTE },
    ],
    handle(request) {
      const path = request.template;
      return answerTimelineRequest(request.method, path, timeline, page) ?? inner.handle(request);
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// The rehearsal report: the same sections, with the run's parameters and verdict, in one static file.

export interface ReportDocument {
  verdict: "PASS" | "FAIL";
  /** Why, in a sentence or two (the last lines of the text report). */
  verdict_detail: string[];
  receiver: string;
  started_at: string;
  finished_at: string;
  /** The run's settings, by flag name. */
  parameters: Record<string, string>;
  /** The findings (ping, switch time, retirements...), label and value. */
  findings: Array<[label: string, value: string]>;
  timeline: Timeline;
}

const REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'";

export function renderReportHtml(report: ReportDocument): string {
  const seconds = (Date.parse(report.finished_at) - Date.parse(report.started_at)) / 1000;
  const facts = (pairs: Array<[string, string]>) =>
    `<dl class="facts">${pairs.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join("")}</dl>`;
  const verdict = report.verdict === "PASS" ? "✓ PASS" : "✗ FAIL";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${REPORT_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rotation rehearsal: ${report.verdict} · ${escapeHtml(report.receiver)}</title><style>${STYLE}</style></head>
<body class="report">
<header><h1>Rotation rehearsal</h1><p><span class="verdict ${report.verdict.toLowerCase()}" data-testid="verdict">${verdict}</span></p></header>
<main>
<section aria-labelledby="run-h"><h2 id="run-h">The run</h2>
${report.verdict_detail.map((line) => `<p>${escapeHtml(line)}</p>`).join("")}
${facts([
  ["Receiver rehearsed", report.receiver],
  ["Started", when(report.started_at)],
  ["Finished", `${when(report.finished_at)} (${seconds.toFixed(1)} s)`],
  ["Webhook", report.timeline.webhook.id],
])}</section>
<section aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>${renderSummary(report.timeline.summary)}${facts(report.findings)}</section>
<section aria-labelledby="params-h"><h2 id="params-h">Parameters</h2>${facts(Object.entries(report.parameters))}</section>
<section aria-labelledby="timeline-h"><h2 id="timeline-h">Timeline</h2>${renderTimeline(report.timeline)}</section>
<section aria-labelledby="webhook-h"><h2 id="webhook-h">Webhook at the end</h2>${renderWebhook(report.timeline.webhook)}</section>
<p class="muted">Written by <code>npm run rehearse</code> (hai-webhook-rotate). It contains no secret: secrets are named by generation, and the receiver URL's password and query values are masked.</p>
</main></body></html>`;
}
