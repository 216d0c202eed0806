from hai_agents import Client

client = Client()  # the API key comes from HAI_API_KEY

result = client.webhooks.ping_webhook(webhook_id="f47ac10b-58cc-4372-a567-0e02b2c3d479")
print(result.response_status)  # 2xx: your receiver verified a delivery signed with the current secret
