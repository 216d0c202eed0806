// Friendly names for the generated schema types, so callers never have to index `components` themselves.
import type { components, operations, paths } from "../generated/api.js";

export type { components, operations, paths };

/** A webhook as the API describes it (never includes the secret). */
export type Webhook = components["schemas"]["Webhook"];
/** The webhook plus its new signing secret: the body of a successful rotate (and create). */
export type WebhookWithSecret = components["schemas"]["WebhookWithSecret"];
/** Body of a 401 from the API gateway. */
export type GatewayError = components["schemas"]["GatewayError"];
/** Body of a 404 (and most other errors raised by the API itself). */
export type DetailError = components["schemas"]["DetailError"];
/** Body of a 422. */
export type HTTPValidationError = components["schemas"]["HTTPValidationError"];
/** One entry of a 422 body. */
export type ValidationIssue = components["schemas"]["ValidationError"];
