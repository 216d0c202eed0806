// A webhook receiver in Express 5: `node examples/express-server.ts` on Node 22.18+ (types stripped), or bundled
// on Node 20. The webhook route is mounted before any global body parser, because the handler reads the raw
// body itself (after express.json() the signed bytes are gone: it answers 500 `body_already_parsed`, saying so).
// Secrets are read for every delivery: set WEBHOOK_SECRET_PREVIOUS during a rotation. docs/guides/receivers.md.
import express from "express";
import { createNodeWebhookHandler } from "hai-webhook-rotate/webhooks";

const app = express();
app.post(
  "/webhooks",
  createNodeWebhookHandler({
    secrets: () =>
      [process.env.WEBHOOK_SECRET_PREVIOUS, process.env.WEBHOOK_SECRET].filter((s) => s !== undefined),
    onEvent: ({ event, secretIndex }) =>
      console.log(`received ${event.type} ${event.id} (secret ${secretIndex})`),
  }),
);
app.use(express.json()); // the rest of the app's routes may parse JSON
const server = app.listen(Number(process.env.PORT ?? 8787), "127.0.0.1", () =>
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`),
);
