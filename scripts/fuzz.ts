// `npm run test:fuzz`: the property-based tier, long. Runs every test file
// that checks properties through test/support/fuzz.ts with many more cases
// than `npm test` does (default 20,000 per property) and a fresh seed (printed
// with every failure, to replay with OPERANT_FUZZ_SEED), and prints the number
// of cases run per target. No control plane is needed: the properties are
// pure, or read only temporary files.
//
//   npm run test:fuzz                                  20,000 cases per property, random seed
//   OPERANT_FUZZ_RUNS=100000 npm run test:fuzz         more
//   OPERANT_FUZZ_SEED=1234 npm run test:fuzz -- <files…>  replay a seed on some files
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== "node_modules" && e.name !== "dist") out.push(...testFiles(p));
    else if (e.name.endsWith(".test.ts") && readFileSync(p, "utf8").includes("test/support/fuzz.ts")) out.push(relative(root, p));
  }
  return out;
}

const given = process.argv.slice(2);
const files = given.length > 0 ? given : testFiles(join(root, "packages"));
const env = {
  ...process.env,
  OPERANT_FUZZ_RUNS: process.env.OPERANT_FUZZ_RUNS ?? "20000",
  OPERANT_FUZZ_SEED: process.env.OPERANT_FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31)),
  OPERANT_FUZZ_REPORT: join(mkdtempSync(join(tmpdir(), "operant-fuzz-")), "report.txt"),
};
process.stderr.write(`fuzz: ${files.length} files, ${env.OPERANT_FUZZ_RUNS} cases per property, seed ${env.OPERANT_FUZZ_SEED}\n`);
const r = spawnSync(process.execPath, ["--test", "--test-reporter=dot", "--test-concurrency=1", "--test-timeout=3600000", ...files], { cwd: root, stdio: "inherit", env });
let report = "";
try {
  report = readFileSync(env.OPERANT_FUZZ_REPORT, "utf8");
} catch {
  // no property finished
}
rmSync(dirname(env.OPERANT_FUZZ_REPORT), { recursive: true, force: true });
process.stderr.write(`\ncases run per target:\n${report || "(none)\n"}`);
process.exit(r.status ?? 1);
