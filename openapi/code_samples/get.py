from hai_agents import Client

client = Client()  # the API key comes from HAI_API_KEY

webhook = client.webhooks.get_webhook(webhook_id="f47ac10b-58cc-4372-a567-0e02b2c3d479")
print(webhook.last_delivery_status, webhook.last_success_at)  # has a delivery succeeded since the rotation?
