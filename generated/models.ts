// Generated from openapi/ by scripts/generate-models.mjs (`npm run generate`). Do not edit by hand.

/**
 * For each schema an operation returns: every property, its name in the SDK's camelCase models, whether the
 * wire sends it as an RFC 3339 date-time (a `Date` in the model) and whether it is always present.
 */
export const MODEL_FIELDS = {
  Webhook: [
    { wire: "id", name: "id", dateTime: false, required: true },
    { wire: "url", name: "url", dateTime: false, required: true },
    { wire: "enabled_events", name: "enabledEvents", dateTime: false, required: true },
    { wire: "description", name: "description", dateTime: false, required: true },
    { wire: "disabled", name: "disabled", dateTime: false, required: true },
    { wire: "created_at", name: "createdAt", dateTime: true, required: true },
    { wire: "updated_at", name: "updatedAt", dateTime: true, required: true },
    { wire: "last_delivery_status", name: "lastDeliveryStatus", dateTime: false, required: false },
    { wire: "last_delivery_error", name: "lastDeliveryError", dateTime: false, required: false },
    { wire: "last_delivery_at", name: "lastDeliveryAt", dateTime: true, required: false },
    { wire: "last_success_at", name: "lastSuccessAt", dateTime: true, required: false },
    { wire: "consecutive_failures", name: "consecutiveFailures", dateTime: false, required: false },
  ],
  WebhookWithSecret: [
    { wire: "id", name: "id", dateTime: false, required: true },
    { wire: "url", name: "url", dateTime: false, required: true },
    { wire: "enabled_events", name: "enabledEvents", dateTime: false, required: true },
    { wire: "description", name: "description", dateTime: false, required: true },
    { wire: "disabled", name: "disabled", dateTime: false, required: true },
    { wire: "created_at", name: "createdAt", dateTime: true, required: true },
    { wire: "updated_at", name: "updatedAt", dateTime: true, required: true },
    { wire: "last_delivery_status", name: "lastDeliveryStatus", dateTime: false, required: false },
    { wire: "last_delivery_error", name: "lastDeliveryError", dateTime: false, required: false },
    { wire: "last_delivery_at", name: "lastDeliveryAt", dateTime: true, required: false },
    { wire: "last_success_at", name: "lastSuccessAt", dateTime: true, required: false },
    { wire: "consecutive_failures", name: "consecutiveFailures", dateTime: false, required: false },
    { wire: "secret", name: "secret", dateTime: false, required: true },
  ],
  WebhookPingResult: [
    { wire: "response_status", name: "responseStatus", dateTime: false, required: true },
  ],
} as const;
