// readWebhookHeaders with each header collection a receiver meets, case-insensitively, refusing duplicates.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import {
  readWebhookHeaders,
  verifyWebhook,
  WebhookVerificationError,
  type WebhookVerificationErrorReason,
} from "../../src/webhooks/index.js";
import {
  clockAt,
  SPEC_BODY,
  SPEC_SECRET,
  SPEC_SIGNATURE,
  SPEC_TIMESTAMP,
  thrown,
} from "./support/fixtures.js";

const expected = { signature: SPEC_SIGNATURE, timestamp: SPEC_TIMESTAMP };

/** What Node's HTTP parser makes of these raw header lines: a real request to a server on 127.0.0.1. */
async function incoming(
  headerLines: string[],
): Promise<Pick<IncomingMessage, "headers" | "headersDistinct">> {
  let seen: Pick<IncomingMessage, "headers" | "headersDistinct"> | undefined;
  const server = createServer((req, res) => {
    seen = { headers: req.headers, headersDistinct: req.headersDistinct };
    res.writeHead(204, { Connection: "close" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end(
          [
            "POST /hook HTTP/1.1",
            "Host: 127.0.0.1",
            ...headerLines,
            "Content-Length: 0",
            "Connection: close",
            "",
            "",
          ].join("\r\n"),
        );
      });
      socket
        .on("error", reject)
        .on("close", () => resolve())
        .resume();
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  if (!seen) throw new Error("the test server saw no request");
  return seen;
}

function refuses(headers: unknown, reason: WebhookVerificationErrorReason): string {
  const error = thrown(() => readWebhookHeaders(headers as Headers));
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).reason).toBe(reason);
  return (error as WebhookVerificationError).message;
}

describe("readWebhookHeaders reads both headers", () => {
  it("from a WHATWG Headers object", () => {
    const headers = new Headers({
      "X-H-Webhook-Signature": SPEC_SIGNATURE,
      "x-h-webhook-timestamp": SPEC_TIMESTAMP,
      "content-type": "application/json",
    });
    expect(readWebhookHeaders(headers)).toEqual(expected);
  });

  it("from Node's req.headers and req.headersDistinct, as parsed from mixed-case header lines", async () => {
    const req = await incoming([
      `X-H-WEBHOOK-SIGNATURE: ${SPEC_SIGNATURE}`,
      `x-H-webhook-Timestamp: ${SPEC_TIMESTAMP}`,
    ]);
    expect(readWebhookHeaders(req.headers)).toEqual(expected);
    expect(readWebhookHeaders(req.headersDistinct)).toEqual(expected);
  });

  it("from a plain object in any casing, and from a Map", () => {
    expect(
      readWebhookHeaders({
        "X-H-Webhook-Signature": SPEC_SIGNATURE,
        "X-h-WEBHOOK-timestamp": SPEC_TIMESTAMP,
      }),
    ).toEqual(expected);
    expect(
      readWebhookHeaders({
        "x-h-webhook-signature": [SPEC_SIGNATURE],
        "x-h-webhook-timestamp": SPEC_TIMESTAMP,
      }),
    ).toEqual(expected);
    expect(
      readWebhookHeaders(
        new Map([
          ["X-H-Webhook-Signature", SPEC_SIGNATURE],
          ["x-h-webhook-timestamp", SPEC_TIMESTAMP],
        ]),
      ),
    ).toEqual(expected);
  });

  it("into exactly what verifyWebhook needs", () => {
    const { signature, timestamp } = readWebhookHeaders(
      new Headers({ "X-H-Webhook-Signature": SPEC_SIGNATURE, "X-H-Webhook-Timestamp": SPEC_TIMESTAMP }),
    );
    expect(verifyWebhook(SPEC_BODY, signature, timestamp, SPEC_SECRET, { now: clockAt() }).secretIndex).toBe(
      0,
    );
  });
});

describe("readWebhookHeaders takes a header repeated with the same value as one value", () => {
  it("as Node's req.headers and req.headersDistinct, fetch's Headers, a Map and two keys differing in case", async () => {
    const sig = `X-H-Webhook-Signature: ${SPEC_SIGNATURE}`;
    const ts = `X-H-Webhook-Timestamp: ${SPEC_TIMESTAMP}`;
    const twice = await incoming([sig, sig, ts, ts]);
    expect(twice.headers["x-h-webhook-signature"]).toBe(`${SPEC_SIGNATURE}, ${SPEC_SIGNATURE}`);
    expect(readWebhookHeaders(twice.headers)).toEqual(expected);
    expect(readWebhookHeaders(twice.headersDistinct)).toEqual(expected);
    const fetchHeaders = new Headers([
      ["X-H-Webhook-Signature", SPEC_SIGNATURE],
      ["x-h-webhook-signature", SPEC_SIGNATURE],
      ["X-H-Webhook-Timestamp", SPEC_TIMESTAMP],
    ]);
    expect(readWebhookHeaders(fetchHeaders)).toEqual(expected);
    const map = new Map([
      ["X-H-Webhook-Signature", SPEC_SIGNATURE],
      ["x-h-webhook-signature", SPEC_SIGNATURE],
      ["x-h-webhook-timestamp", SPEC_TIMESTAMP],
    ]);
    expect(readWebhookHeaders(map)).toEqual(expected);
    const { signature, timestamp } = readWebhookHeaders({
      "X-H-Webhook-Signature": SPEC_SIGNATURE,
      "x-h-webhook-signature": [SPEC_SIGNATURE, SPEC_SIGNATURE],
      "x-h-webhook-timestamp": SPEC_TIMESTAMP,
    });
    expect(verifyWebhook(SPEC_BODY, signature, timestamp, SPEC_SECRET, { now: clockAt() }).secretIndex).toBe(
      0,
    );
  });
});

describe("readWebhookHeaders refuses", () => {
  it("a missing or empty header, naming it", () => {
    expect(refuses({ "x-h-webhook-timestamp": SPEC_TIMESTAMP }, "missing_signature")).toMatch(
      /X-H-Webhook-Signature header is missing/,
    );
    expect(refuses(new Headers({ "x-h-webhook-signature": SPEC_SIGNATURE }), "missing_timestamp")).toMatch(
      /X-H-Webhook-Timestamp/,
    );
    refuses({ "x-h-webhook-signature": "", "x-h-webhook-timestamp": SPEC_TIMESTAMP }, "missing_signature");
    refuses({ "x-h-webhook-signature": [], "x-h-webhook-timestamp": SPEC_TIMESTAMP }, "missing_signature");
    refuses(
      { "x-h-webhook-signature": SPEC_SIGNATURE, "x-h-webhook-timestamp": undefined },
      "missing_timestamp",
    );
  });

  it("a header sent twice with different values, however the collection represents it", async () => {
    const other = `sha256=${"0".repeat(64)}`;
    const twice = await incoming([
      `X-H-Webhook-Signature: ${SPEC_SIGNATURE}`,
      `X-H-Webhook-Signature: ${other}`,
      `X-H-Webhook-Timestamp: ${SPEC_TIMESTAMP}`,
    ]);
    expect(refuses(twice.headers, "duplicate_header")).toMatch(/more than once with different values/);
    refuses(twice.headersDistinct, "duplicate_header");
    const fetchHeaders = new Headers([
      ["X-H-Webhook-Timestamp", SPEC_TIMESTAMP],
      ["X-H-Webhook-Timestamp", "1782982801"],
      ["X-H-Webhook-Signature", SPEC_SIGNATURE],
    ]);
    expect(refuses(fetchHeaders, "duplicate_header")).toMatch(
      /X-H-Webhook-Timestamp header was sent more than once/,
    );
    refuses(
      {
        "X-H-Webhook-Signature": SPEC_SIGNATURE,
        "x-h-webhook-signature": other,
        "x-h-webhook-timestamp": SPEC_TIMESTAMP,
      },
      "duplicate_header",
    );
  });

  it("a value that is not a string", () => {
    refuses(
      { "x-h-webhook-signature": SPEC_SIGNATURE, "x-h-webhook-timestamp": 1782982800 },
      "invalid_timestamp",
    );
    refuses(
      { "x-h-webhook-signature": { value: SPEC_SIGNATURE }, "x-h-webhook-timestamp": SPEC_TIMESTAMP },
      "malformed_signature",
    );
  });

  it("something that is not a header collection", () => {
    for (const headers of [
      undefined,
      null,
      "x-h-webhook-signature: sha256=...",
      [["x-h-webhook-signature", SPEC_SIGNATURE]],
    ])
      refuses(headers, "invalid_headers");
  });
});
