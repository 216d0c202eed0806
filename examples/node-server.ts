// A webhook receiver on Node's own http module: `node examples/node-server.ts` on Node 22.18+ (types stripped). The
// adapter reads the raw body itself; the same listener works as an Express route. Secrets are read for every
// delivery: set WEBHOOK_SECRET_PREVIOUS during a rotation. How to run it: docs/guides/receivers.md.
import { createServer } from "node:http";
import { createNodeWebhookHandler } from "hai-webhook-rotate/webhooks";

const webhook = createNodeWebhookHandler({
  secrets: () =>
    [process.env.WEBHOOK_SECRET_PREVIOUS, process.env.WEBHOOK_SECRET].filter((s) => s !== undefined),
  onEvent: ({ event, secretIndex }) =>
    console.log(`received ${event.type} ${event.id} (secret ${secretIndex})`),
});
const server = createServer(webhook).listen(Number(process.env.PORT ?? 8787), "127.0.0.1", () =>
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`),
);
