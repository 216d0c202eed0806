// The bench serves the spec's own example, read from the spec file rather than copied into code.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export function seedResponseBody() {
  const example = parse(
    readFileSync(new URL("../openapi/components/examples/RotatedWebhook.yaml", import.meta.url), "utf8"),
  );
  return JSON.stringify(example.value);
}
