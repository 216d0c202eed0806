// An https server on 127.0.0.1 with a certificate made for this run by `openssl` (no key is committed).
// Clients refuse it as self-signed, as they refuse a TLS-intercepting proxy's: the handshake fails before
// any request can be written, which the server's request count shows.
import { execFileSync } from "node:child_process";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

/** A fresh self-signed certificate for 127.0.0.1 and its key, PEM, never written to disk. */
function selfSignedCertificate(): { key: string; cert: string } {
  const pem = execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      "-",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  const key = pem.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/)?.[0];
  const cert = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)?.[0];
  if (!key || !cert) throw new Error("openssl did not print a key and a certificate");
  return { key, cert };
}

export async function startTlsServer() {
  const state = { requests: 0 };
  const server = createServer(selfSignedCertificate(), (_, response) => {
    state.requests += 1;
    response.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
