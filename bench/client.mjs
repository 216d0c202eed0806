// Cost of a rotate call through our layers, against a bare fetch of the same request to the same server.
import { createServer } from "node:http";
import { createRotateClient, HaiAgentsClient } from "../dist/src/index.js";
import { compare } from "./harness.mjs";
import { seedResponseBody } from "./spec-example.mjs";

const WEBHOOK_ID = "f47ac10b-58cc-4372-a567-0e02b2c3d479";

export async function measureClientOverhead({ quick = false } = {}) {
  const body = seedResponseBody();
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const url = `${origin}/api/v2/webhooks/${WEBHOOK_ID}/rotate`;
  const facade = new HaiAgentsClient({ token: "hk-bench", baseUrl: origin });
  const raw = createRotateClient({ apiKey: "hk-bench", baseUrl: origin });
  try {
    return await compare(
      {
        "bare fetch + JSON.parse": async () => {
          const response = await fetch(url, {
            method: "POST",
            headers: { authorization: "Bearer hk-bench" },
          });
          return JSON.parse(await response.text());
        },
        "raw client (createRotateClient)": () =>
          raw.POST("/api/v2/webhooks/{webhook_id}/rotate", { params: { path: { webhook_id: WEBHOOK_ID } } }),
        "facade (HaiAgentsClient)": () => facade.webhooks.rotateWebhookSecret({ webhookId: WEBHOOK_ID }),
      },
      { rounds: quick ? 3 : 5, sliceMs: quick ? 200 : 400 },
    );
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
