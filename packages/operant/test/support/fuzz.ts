// The property-based test tier's settings: every fast-check property in the
// repository runs through fuzz(), so `npm test` runs each with a fixed seed
// and a bounded number of cases (reproducible, a few seconds in all), and
// `npm run test:fuzz` runs the same properties long, with a fresh seed.
//
//   OPERANT_FUZZ_RUNS  cases per property (default: the property's own, usually 100–300)
//   OPERANT_FUZZ_SEED  seed (default 20261207; `random` for a fresh one, printed on failure)
//   OPERANT_FUZZ_REPORT  a file to append "fuzz <target>: N cases, seed S" lines to (npm run test:fuzz sets it)
import { appendFileSync } from "node:fs";
import type { TestContext } from "node:test";
import fc from "fast-check";

/** The seed of `npm test`: fixed, so a failure reproduces. */
export const DEFAULT_FUZZ_SEED = 20261207;

function envRuns(): number | undefined {
  const v = process.env.OPERANT_FUZZ_RUNS;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`OPERANT_FUZZ_RUNS=${v} is not a positive whole number of cases`);
  return n;
}

function envSeed(): number {
  const v = process.env.OPERANT_FUZZ_SEED;
  if (v === undefined || v === "") return DEFAULT_FUZZ_SEED;
  if (v === "random") return Math.floor(Math.random() * 2 ** 31);
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`OPERANT_FUZZ_SEED=${v} is not a whole number (or "random")`);
  return n;
}

/**
 * Checks `property` with the tier's seed and case count, and reports the
 * number of cases run as a test diagnostic (`# fuzz <target>: N cases, seed S`).
 * A failure throws fast-check's report: the counterexample, shrunk, and the
 * seed and path to replay it.
 *
 * @example
 * ```ts
 * test("parse ∘ print is the identity", async (t) => {
 *   await fuzz(t, "label selector", fc.property(selectorArb, (s) => { assert.deepEqual(parse(print(s)), s); }));
 * });
 * ```
 */
export async function fuzz<Ts extends [unknown, ...unknown[]]>(
  t: TestContext,
  target: string,
  property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>,
  options: { numRuns?: number } = {},
): Promise<number> {
  const numRuns = envRuns() ?? options.numRuns ?? 200;
  const seed = envSeed();
  const details = await fc.check(property, { numRuns, seed });
  if (details.failed) throw new Error(`fuzz ${target}: ${fc.defaultReportMessage(details) ?? "the property failed"}`, { cause: details.errorInstance });
  const report = `fuzz ${target}: ${details.numRuns} cases, seed ${seed}`;
  t.diagnostic(report);
  if (process.env.OPERANT_FUZZ_REPORT) appendFileSync(process.env.OPERANT_FUZZ_REPORT, `${report}\n`);
  return details.numRuns;
}
