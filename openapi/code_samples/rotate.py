from hai_agents import Client

client = Client()  # the API key comes from HAI_API_KEY

webhook = client.webhooks.rotate_webhook_secret(webhook_id="f47ac10b-58cc-4372-a567-0e02b2c3d479")
print(webhook.secret)  # shown only in this response: put it in your secret store now
