import { HaiAgentsClient } from "hai-agents"; // or "hai-webhook-rotate": same call, typed errors, no auto-retry

const client = new HaiAgentsClient(); // the API key comes from HAI_API_KEY

const webhook = await client.webhooks.rotateWebhookSecret({
  webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
});
console.log(webhook.secret); // shown only in this response: put it in your secret store now
