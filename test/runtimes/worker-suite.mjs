// Entry of the runtime suite in workerd: a Worker that runs it on each request and answers with the results.
// Bundled with the conditions a Worker bundler uses (workerd, worker, browser), so the one import resolves to
// the Web Crypto implementation.
import { runSuite } from "./suite.mjs";

export default {
  async fetch() {
    return Response.json(await runSuite({ nodeCrypto: false }));
  },
};
