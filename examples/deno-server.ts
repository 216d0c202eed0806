// A webhook receiver on Deno: `deno run --allow-net --allow-env examples/deno-server.ts` in a project that has
// the package installed. The one import resolves to the node:crypto implementation under Deno's `deno`
// condition. Secrets are read for every delivery: set WEBHOOK_SECRET_PREVIOUS during a rotation, unset it
// afterwards. How to run it: docs/guides/receivers.md.
import { createWebhookHandler } from "hai-webhook-rotate/webhooks";

// Deno declares this global itself; this is the part used here, for the repository's tsc (which has Node's types).
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { hostname: string; port: number },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
};

Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000) },
  createWebhookHandler({
    secrets: () => ["WEBHOOK_SECRET_PREVIOUS", "WEBHOOK_SECRET"].flatMap((name) => Deno.env.get(name) ?? []),
    onEvent: ({ event, secretIndex }) =>
      console.log(`received ${event.type} ${event.id} (secret ${secretIndex})`),
  }),
);
