// `npm test`: typecheck, lint, the API reference, then every test (unit tests beside the code,
// integration tests against a real local control plane, the examples'
// end-to-end tests). Stops at the first failing step.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name: string) => join(root, "node_modules", ".bin", name);
const only = process.argv.slice(2); // `npm test -- <files…>` runs just those test files

// Inside this repository `operant` resolves to its TypeScript sources (export condition "operant-source"), also for child processes.
// Each process gets at most 4 GiB of JavaScript heap: a test file whose process runs away (seen twice: a file grew to
// 8–20 GB within a minute) then dies of its own heap limit, naming itself, instead of starving the machine and the
// shared control plane with it.
const heapCap = /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? "") ? "" : "--max-old-space-size=4096";
const env = { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS?.replace("--conditions=operant-source", ""), "--conditions=operant-source", heapCap].filter((x) => x?.trim()).join(" ") };

function step(title: string, cmd: string, args: string[], options: { timeoutMinutes?: number } = {}): void {
  const started = Date.now();
  process.stderr.write(`\n▶ ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env, ...(options.timeoutMinutes && { timeout: options.timeoutMinutes * 60_000 }) });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT") {
    process.stderr.write(`✖ ${title} did not finish within ${options.timeoutMinutes} minutes and was stopped: a test file that keeps running after its tests ended has left something open (a timer, a socket, an elector or informer never stopped).\n`);
    process.exit(1);
  }
  if (r.status !== 0) {
    process.stderr.write(`✖ ${title} failed after ${secs}s\n`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`✔ ${title} (${secs}s)\n`);
}

if (only.length === 0) {
  step("typecheck (tsc)", bin("tsc"), ["-p", "tsconfig.json"]);
  // The published form (dist/: JavaScript + declarations) is what installed operators and images load,
  // and what example projects with a tsconfig of their own resolve `operant` to: build it before linting them.
  step("build (tsc → packages/operant/dist)", bin("tsc"), ["-p", "packages/operant/tsconfig.build.json"]);
  step("lint (eslint)", bin("eslint"), ["--max-warnings=0", "."]);
  // The API reference from the `exports` entry points into docs/api/ (not committed); an export without documentation,
  // or without an @example, fails it.
  step("API reference (typedoc → docs/api)", bin("typedoc"), ["--options", "packages/operant/typedoc.config.mjs"]);
}
// Spec output for people, and the counts as JSON for the size guard below.
const countsPath = process.env.OPERANT_TEST_COUNTS ?? join(root, "node_modules", ".cache", "operant", "test-counts.json");
mkdirSync(dirname(countsPath), { recursive: true });
rmSync(countsPath, { force: true });
step("tests (node --test)", process.execPath, [
  // In every test file's process: a file that runs too long, or stays alive after its tests, is stopped, naming what was left open.
  `--import=${join(root, "scripts", "test-file-guard.ts")}`,
  // …and a process whose memory runs away reports its live allocation sites before anything kills it.
  `--import=${join(root, "scripts", "test-memory-sentinel.ts")}`,
  "--test",
  "--test-reporter=spec",
  "--test-reporter-destination=stdout",
  `--test-reporter=${join(root, "scripts", "test-count-reporter.ts")}`,
  `--test-reporter-destination=${countsPath}`,
  `--test-concurrency=${process.env.OPERANT_TEST_CONCURRENCY ?? "3"}`,
  "--test-timeout=600000",
  `--test-global-setup=${join(root, "scripts", "test-global-setup.ts")}`,
  ...(only.length
    ? only
    : ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "examples/*/test/**/*.test.ts"]),
  // A few minutes on a quiet machine with the Go builds cached; 50 covers a cold machine (the global setup builds the
  // control plane, helm and the bundle validator: ~15 min) and a loaded one. A hung file is stopped sooner by the
  // per-file guard (scripts/test-file-guard.ts); this only keeps a hang from holding CI for its 90 minutes.
], { timeoutMinutes: 50 });

// The suite guards its own size: a full run that executed fewer tests than .ci/test-count records fails (a file that
// stopped loading, a describe skipped by mistake, a run cut short). The record is raised in the commit that adds tests.
if (only.length === 0) {
  const recordPath = join(root, ".ci", "test-count");
  const recorded = Number(readFileSync(recordPath, "utf8").trim());
  const counts = existsSync(countsPath) ? (JSON.parse(readFileSync(countsPath, "utf8")) as { tests: number; skipped: number; todo: number }) : undefined;
  const executed = counts ? counts.tests - counts.skipped - counts.todo : 0;
  if (executed < recorded) {
    process.stderr.write(`✖ test count: this run executed ${executed} tests, fewer than the ${recorded} recorded in .ci/test-count. A test file stopped loading or ended early, or tests were skipped or deleted. If tests were removed on purpose, lower .ci/test-count to ${executed} in the same commit.\n`);
    process.exit(1);
  }
  process.stderr.write(`✔ test count: ${executed} tests executed (recorded: ${recorded})${executed > recorded ? `; raise .ci/test-count to ${executed} in the commit that adds these tests` : ""}\n`);
}
