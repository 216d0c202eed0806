// A sandbox delivery checked by code that shares nothing with ours: Python's hmac module and OpenSSL compute
// the signature from the raw bytes the receiver got, so a bug common to our signer and verifier cannot hide.
import { execFileSync } from "node:child_process";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_SECRET, Sandbox } from "../../src/mock/sandbox.js";

let delivery: { headers: IncomingHttpHeaders; body: Buffer };
let rotatedSecret: string;
let rotatedDelivery: { headers: IncomingHttpHeaders; body: Buffer };

beforeAll(async () => {
  const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const sandbox = new Sandbox({ receiver: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` });
  sandbox.enqueue();
  await sandbox.settled();
  rotatedSecret = sandbox.rotate().secret;
  await sandbox.ping();
  await sandbox.close();
  server.close();
  [delivery, rotatedDelivery] = received as [typeof delivery, typeof delivery];
});

// Python's own hmac, fed the secret, timestamp and body as JSON on stdin (bytes as latin-1 code points).
function pythonSignature(secret: string, timestamp: string, body: Buffer): string {
  const script =
    "import hmac,hashlib,json,sys\n" +
    "d=json.load(sys.stdin)\n" +
    "msg=d['ts'].encode()+b'.'+d['body'].encode('latin-1')\n" +
    "print('sha256='+hmac.new(d['secret'].encode(),msg,hashlib.sha256).hexdigest())";
  const input = JSON.stringify({ secret, ts: timestamp, body: body.toString("latin1") });
  return execFileSync("python3", ["-c", script], { input, encoding: "utf8" }).trim();
}

function opensslSignature(secret: string, timestamp: string, body: Buffer): string {
  const out = execFileSync("openssl", ["dgst", "-sha256", "-hmac", secret, "-r"], {
    input: Buffer.concat([Buffer.from(`${timestamp}.`), body]),
    encoding: "utf8",
  });
  return `sha256=${out.split(" ")[0]}`;
}

describe("a sandbox delivery, verified independently", () => {
  it("carries the HMAC Python computes from the raw bytes with the sandbox secret", () => {
    const timestamp = String(delivery.headers["x-h-webhook-timestamp"]);
    expect(pythonSignature(SANDBOX_SECRET, timestamp, delivery.body)).toBe(
      delivery.headers["x-h-webhook-signature"],
    );
  });

  it("after a rotation carries the HMAC OpenSSL computes with the new secret, not the old one", () => {
    const timestamp = String(rotatedDelivery.headers["x-h-webhook-timestamp"]);
    const signature = rotatedDelivery.headers["x-h-webhook-signature"];
    expect(JSON.parse(rotatedDelivery.body.toString()).type).toBe("ping");
    expect(opensslSignature(rotatedSecret, timestamp, rotatedDelivery.body)).toBe(signature);
    expect(opensslSignature(SANDBOX_SECRET, timestamp, rotatedDelivery.body)).not.toBe(signature);
  });

  it("would catch a changed byte (the check can fail)", () => {
    const timestamp = String(delivery.headers["x-h-webhook-timestamp"]);
    const tampered = Buffer.from(delivery.body);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 2) ^ 1, tampered.length - 2);
    expect(pythonSignature(SANDBOX_SECRET, timestamp, tampered)).not.toBe(
      delivery.headers["x-h-webhook-signature"],
    );
  });
});
