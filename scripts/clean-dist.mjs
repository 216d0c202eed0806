// Removes the previous build so that a file deleted from src/ cannot linger in dist/ and still be importable.
import { rm } from "node:fs/promises";

await rm(new URL("../dist/src", import.meta.url), { recursive: true, force: true });
await rm(new URL("../dist/generated", import.meta.url), { recursive: true, force: true });
// The build info too: without it tsc -b could judge the emptied output up to date.
await rm(new URL("../dist/build.tsbuildinfo", import.meta.url), { force: true });
