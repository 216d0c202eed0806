/**
 * The API's regional hosts, as listed under `servers` in the spec (a unit test keeps the two in step).
 * Paths already carry the `/api/v2` prefix, so these are bare origins.
 */
export const HaiAgentsEnvironment = {
  /** Europe, the default region. */
  Eu: "https://agp.eu.hcompany.ai",
  /** United States. */
  Us: "https://agp.hcompany.ai",
} as const;

export type HaiAgentsEnvironment = (typeof HaiAgentsEnvironment)[keyof typeof HaiAgentsEnvironment];

export const DEFAULT_BASE_URL: string = HaiAgentsEnvironment.Eu;
