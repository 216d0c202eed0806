// Entry of the runtime suite in Node, Deno and Bun: each resolves `hai-webhook-rotate/webhooks` to the node:crypto
// implementation. Prints one line, `RESULTS <json>`, for scripts/runtimes.mjs to read.
import { runSuite } from "./suite.mjs";

const results = await runSuite({ nodeCrypto: true });
console.log(`RESULTS ${JSON.stringify(results)}`);
