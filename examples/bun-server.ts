// A webhook receiver on Bun: `bun examples/bun-server.ts` serves this default export. The one import resolves to
// the node:crypto implementation under Bun's `bun` condition. Secrets are read for every delivery: set
// WEBHOOK_SECRET_PREVIOUS during a rotation, unset it afterwards. How to run it: docs/guides/receivers.md.
import { createWebhookHandler } from "hai-webhook-rotate/webhooks";

export default {
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
  fetch: createWebhookHandler({
    secrets: () =>
      [process.env.WEBHOOK_SECRET_PREVIOUS, process.env.WEBHOOK_SECRET].filter((s) => s !== undefined),
    onEvent: ({ event, secretIndex }) =>
      console.log(`received ${event.type} ${event.id} (secret ${secretIndex})`),
  }),
};
