# Rotate the secret of one webhook. The response holds the new secret: save it right away.
curl -X POST https://agp.eu.hcompany.ai/api/v2/webhooks/f47ac10b-58cc-4372-a567-0e02b2c3d479/rotate \
  -H "Authorization: Bearer $HAI_API_KEY"
