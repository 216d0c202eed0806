// Global setup: bundle the spec once before the workers start, so that test files starting together read
// the cached bundle (see bundleSpec) instead of each running Redocly on a cold cache.
import { bundleSpec } from "./spec.js";

export default function setup(): void {
  bundleSpec();
}
