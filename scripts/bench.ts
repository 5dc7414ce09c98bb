// `npm run bench -- <name> [args…]` runs bench/<name>.ts; `npm run bench`
// lists the benchmarks. Each benchmark prints its figures and records them
// in its own section of bench/RESULTS.md with writeResultsSection().
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const benchDir = join(root, "bench");

/** Where benchmarks record their figures. */
export const RESULTS_PATH = join(benchDir, "RESULTS.md");

const INTRO = `# Benchmark results

Figures measured by the benchmarks in this folder, each with the machine it ran on.
Run one with \`npm run bench -- <name>\` (\`npm run bench\` lists them); it prints
its figures and rewrites its own section below, between its markers. Edit the
benchmark, not its section. A figure that misses its target says so.
`;

/**
 * Replaces the section of bench/RESULTS.md that belongs to benchmark `name`
 * (between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`), appending it
 * the first time, and leaves every other section as it was.
 *
 * @example
 * ```ts
 * import { writeResultsSection } from "../scripts/bench.ts";
 * writeResultsSection("watch", "## Watch\n\n| events/s | … |\n");
 * ```
 */
export function writeResultsSection(name: string, markdown: string, path: string = RESULTS_PATH): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, "utf8") : INTRO;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? current.slice(0, from) + block + current.slice(to + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}

/** The benchmarks: bench/<name>.ts, with the first line of each one's leading comment. */
function benchmarks(): { name: string; summary: string }[] {
  if (!existsSync(benchDir)) return [];
  return readdirSync(benchDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort()
    .map((f) => {
      const first = readFileSync(join(benchDir, f), "utf8").split("\n")[0] ?? "";
      return { name: f.slice(0, -3), summary: first.startsWith("//") ? first.replace(/^\/\/\s*/, "") : "" };
    });
}

function main(argv: string[]): number {
  const [name, ...args] = argv;
  const all = benchmarks();
  if (!name || name === "--help" || name === "-h") {
    process.stdout.write("usage: npm run bench -- <name> [args…]\n\nbenchmarks:\n");
    for (const b of all) process.stdout.write(`  ${b.name.padEnd(20)} ${b.summary}\n`);
    if (all.length === 0) process.stdout.write("  (none yet: add bench/<name>.ts)\n");
    return 0;
  }
  if (!all.some((b) => b.name === name)) {
    process.stderr.write(`no benchmark "${name}" (bench/${name}.ts). Available: ${all.map((b) => b.name).join(", ") || "none"}.\n`);
    return 2;
  }
  const r = spawnSync(process.execPath, [join(benchDir, `${name}.ts`), ...args], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

if (import.meta.main) process.exit(main(process.argv.slice(2)));
