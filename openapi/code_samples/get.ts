import { HaiAgentsClient } from "hai-agents"; // or "hai-webhook-rotate": same call and result shape

const client = new HaiAgentsClient(); // the API key comes from HAI_API_KEY

const webhook = await client.webhooks.getWebhook({
  webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
});
console.log(webhook.lastDeliveryStatus, webhook.lastSuccessAt); // has a delivery succeeded since the rotation?
