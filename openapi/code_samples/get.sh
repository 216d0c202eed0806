# Read one webhook and the health of its recent deliveries. The secret is never part of a read.
curl https://agp.eu.hcompany.ai/api/v2/webhooks/f47ac10b-58cc-4372-a567-0e02b2c3d479 \
  -H "Authorization: Bearer $HAI_API_KEY"
