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

/** The README, where a benchmark may also show a summary between its markers. */
export const README_PATH = join(root, "README.md");

/** `text` with benchmark `name`'s section (between its markers) replaced by `markdown`, or undefined if `text` has no such section. */
function replaceSection(text: string, name: string, markdown: string): string | undefined {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return `${text.slice(0, from)}${start}\n${markdown.trim()}\n${end}${text.slice(to + end.length)}`;
}

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
  const current = existsSync(path) ? readFileSync(path, "utf8") : INTRO;
  writeFileSync(path, replaceSection(current, name, markdown) ?? `${current.trimEnd()}\n\n<!-- bench:${name} -->\n${markdown.trim()}\n<!-- /bench:${name} -->\n`);
}

/**
 * Replaces benchmark `name`'s summary in the README, between the same
 * markers as in bench/RESULTS.md. The README is written by hand: the
 * markers must already be there (a benchmark never adds a section to it).
 *
 * @example
 * ```ts
 * import { writeReadmeSection } from "../scripts/bench.ts";
 * writeReadmeSection("peers", "| figure | operant | controller-runtime | … |");
 * ```
 */
export function writeReadmeSection(name: string, markdown: string, path: string = README_PATH): void {
  const next = replaceSection(readFileSync(path, "utf8"), name, markdown);
  if (next === undefined) throw new Error(`${path} has no <!-- bench:${name} --> … <!-- /bench:${name} --> markers; add them where the summary belongs`);
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
