// A node:test reporter that writes the run's counts as JSON (what the test
// count guard in scripts/test.ts reads): tests passed, failed, cancelled,
// skipped and todo — tests, not suites, like node:test's own summary — and
// the test files that reported anything.
import { relative } from "node:path";

/** What the reporter writes. */
export interface TestCounts {
  tests: number;
  passed: number;
  failed: number;
  cancelled: number;
  skipped: number;
  todo: number;
  files: number;
}

interface Event {
  type: string;
  data: { file?: string; skip?: boolean | string; todo?: boolean | string; details?: { type?: string; error?: { failureType?: string } } };
}

/**
 * The reporter: `--test-reporter=./scripts/test-count-reporter.ts --test-reporter-destination=<file>`.
 *
 * @example
 * ```sh
 * node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=./scripts/test-count-reporter.ts --test-reporter-destination=.test-results/counts.json
 * ```
 */
export default async function* countReporter(source: AsyncIterable<Event>): AsyncGenerator<string> {
  const counts: TestCounts = { tests: 0, passed: 0, failed: 0, cancelled: 0, skipped: 0, todo: 0, files: 0 };
  const files = new Set<string>();
  for await (const { type, data } of source) {
    if (type !== "test:pass" && type !== "test:fail") continue;
    if (data.file) files.add(relative(process.cwd(), data.file));
    if (data.details?.type === "suite") continue;
    counts.tests++;
    if (data.skip !== undefined && data.skip !== false) counts.skipped++;
    else if (data.todo !== undefined && data.todo !== false) counts.todo++;
    else if (type === "test:pass") counts.passed++;
    else if (data.details?.error?.failureType === "cancelledByParent") counts.cancelled++;
    else counts.failed++;
  }
  counts.files = files.size;
  yield `${JSON.stringify(counts, null, 2)}\n`;
}
