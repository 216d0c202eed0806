// Removes the previous build so that a file deleted from src/ cannot linger in dist/ and still be importable.
import { rm } from "node:fs/promises";

await rm(new URL("../dist/src", import.meta.url), { recursive: true, force: true });
await rm(new URL("../dist/generated", import.meta.url), { recursive: true, force: true });
