# Send one signed ping to the webhook's URL now; the answer holds your receiver's HTTP status. Never retried.
curl -X POST https://agp.eu.hcompany.ai/api/v2/webhooks/f47ac10b-58cc-4372-a567-0e02b2c3d479/ping \
  -H "Authorization: Bearer $HAI_API_KEY"
