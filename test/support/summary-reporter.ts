// Adds one plain closing line ("Tests: N passed, N failed, N skipped") that any CI log reader can parse,
// after vitest's own colourful summary.
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") counts.passed += 1;
        else if (state === "failed") counts.failed += 1;
        else counts.skipped += 1;
      }
      // A file whose setup threw (a failed beforeAll, a file that did not load) leaves its tests skipped or
      // absent; vitest fails the run, so the closing line must count a failure too.
      const failedInFile = [...module.children.allTests()].some((test) => test.result().state === "failed");
      if (module.state() === "failed" && !failedInFile) counts.failed += 1;
    }
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`,
    );
  }
}
