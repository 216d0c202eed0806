import { HaiAgentsClient } from "hai-agents"; // or "hai-webhook-rotate": same call and result shape

const client = new HaiAgentsClient(); // the API key comes from HAI_API_KEY

const result = await client.webhooks.pingWebhook({
  webhookId: "f47ac10b-58cc-4372-a567-0e02b2c3d479",
});
console.log(result.responseStatus); // 2xx: your receiver verified a delivery signed with the current secret
