// Local control plane: cold build time, cached start time per profile, idle memory per component.
//
// npm run bench -- controlplane [--skip-cold] [--runs 5] [--idle-seconds 20] [--dry-run]
//
//   --skip-cold      skip the cold build (minutes of downloads and compiling on every core);
//                    bench/RESULTS.md keeps the cold-build figures of the last run that had them
//   --runs <n>       starts measured per profile (default 5)
//   --idle-seconds   how long the full profile idles before its memory is read (default 20)
//   --dry-run        print the figures without rewriting bench/RESULTS.md
//
// The cold build goes through the real build code (buildBinaries) into a fresh
// temporary cache directory, with GOMODCACHE and GOCACHE pointing at fresh
// temporary directories too, so module downloads and compilation both count.
// build.ts gives every `go` it runs a copy of process.env, so those two
// variables are set on this process for the duration of the build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { RESULTS_PATH, writeResultsSection } from "../scripts/bench.ts";
import { buildBinaries, builtBinaryPath, checkGo, type BuildProgress } from "../packages/operant/src/testing/assets/build.ts";
import { locateBinaries } from "../packages/operant/src/testing/assets/locate.ts";
import { BINARIES, CONTROL_PLANE_VERSIONS, type BinaryName } from "../packages/operant/src/testing/assets/versions.ts";
import { ControlPlane, type ControlPlaneProfile } from "../packages/operant/src/testing/index.ts";

const TARGETS_MS: Record<ControlPlaneProfile, number> = { full: 15_000, minimal: 5_000 };
const PROFILE_BINARIES: Record<ControlPlaneProfile, BinaryName[]> = {
  minimal: ["etcd", "kube-apiserver"],
  full: [...BINARIES],
};

const { values: args } = parseArgs({
  options: {
    "skip-cold": { type: "boolean", default: false },
    runs: { type: "string", default: "5" },
    "idle-seconds": { type: "string", default: "20" },
    "dry-run": { type: "boolean", default: false },
  },
});
const runs = Number(args.runs);
const idleSeconds = Number(args["idle-seconds"]);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a positive integer, got "${args.runs}"`);
if (!(idleSeconds >= 0)) throw new Error(`--idle-seconds takes a number of seconds, got "${args["idle-seconds"]}"`);

const log = (m: string) => process.stderr.write(`[bench controlplane] ${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(" / ");

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function run(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, argv, { encoding: "utf8", env });
  return r.status === 0 ? r.stdout.trim() : "";
}

// ---------------------------------------------------------------- machine

async function machine(): Promise<[string, string][]> {
  const cpus = os.cpus();
  const osRelease = readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? os.type();
  return [
    ["CPU", `${cpus[0]?.model ?? "unknown"} × ${cpus.length} (available parallelism ${os.availableParallelism()})`],
    ["Memory", `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ["OS", `${osRelease}, ${os.type()} ${os.release()} ${os.arch()}`],
    ["Load average at start (1/5/15 min)", load()],
    ["Node.js", process.version],
    ["Go", `go${await checkGo()}`],
    ["Pinned versions", Object.entries(CONTROL_PLANE_VERSIONS).map(([k, v]) => `${k} ${v}`).join(", ")],
    ["Date", new Date().toISOString()],
  ];
}

// ---------------------------------------------------------------- cold build

interface ModuleBuild {
  module: string;
  resolveMs: number;
  compileMs: number;
  totalMs: number;
  packages: number;
}

interface ColdBuild {
  loadAtStart: string;
  totalMs: number;
  cpuMs: number;
  modules: ModuleBuild[];
  downloadedBytes: number;
  goCacheBytes: number;
  versions: string[];
}

/** CPU time of this process's waited-for children (the go commands and everything they ran). */
function childrenCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
  const ticks = Number(fields[13]) + Number(fields[14]); // cutime, cstime (fields 16 and 17)
  return (ticks / Number(run("getconf", ["CLK_TCK"]) || 100)) * 1000;
}

function diskBytes(path: string): number {
  return Number(run("du", ["-sb", path]).split(/\s/)[0]) || 0;
}

async function coldBuild(): Promise<ColdBuild> {
  const base = await mkdtemp(join(os.tmpdir(), "operant-bench-cold-"));
  const cacheDir = join(base, "controlplane");
  const goEnv = { GOMODCACHE: join(base, "gomodcache"), GOCACHE: join(base, "gocache") };
  await Promise.all(Object.values(goEnv).map((d) => mkdir(d)));
  const saved = { GOMODCACHE: process.env.GOMODCACHE, GOCACHE: process.env.GOCACHE };
  Object.assign(process.env, goEnv);

  const seen = new Map<string, Partial<Record<BuildProgress["phase"], number>> & { packages?: number }>();
  let lastLine = 0;
  const onProgress = (p: BuildProgress) => {
    const m = seen.get(p.module) ?? {};
    seen.set(p.module, m);
    const first = m[p.phase] === undefined;
    m[p.phase] ??= p.elapsedMs;
    if (p.packages) m.packages = p.packages.total;
    if (first || Date.now() - lastLine > 30_000) {
      lastLine = Date.now();
      log(`  ${p.module}: ${p.phase}${p.packages ? ` ${p.packages.built}/${p.packages.total} packages` : ""} [${secs(p.elapsedMs)}]`);
    }
  };

  try {
    log(`cold build into ${base} (fresh GOMODCACHE and GOCACHE)`);
    const loadAtStart = load();
    const cpuBefore = childrenCpuMs();
    const started = performance.now();
    await buildBinaries([...BINARIES], { cacheDir, onProgress });
    const totalMs = performance.now() - started;
    const cpuMs = childrenCpuMs() - cpuBefore;
    const versions = BINARIES.map((b) => {
      const out = run(builtBinaryPath(cacheDir, b), ["--version"]);
      return `${b}: ${out.split("\n")[0] || "(no output)"}`;
    });
    const modules = [...seen].map(([module, m]) => ({
      module,
      resolveMs: m.compiling ?? 0,
      compileMs: (m.done ?? 0) - (m.compiling ?? 0),
      totalMs: m.done ?? 0,
      packages: m.packages ?? 0,
    }));
    return {
      loadAtStart,
      totalMs,
      cpuMs,
      modules,
      downloadedBytes: diskBytes(join(goEnv.GOMODCACHE, "cache", "download")),
      goCacheBytes: diskBytes(goEnv.GOCACHE),
      versions,
    };
  } finally {
    // The module cache is read-only by design; `go clean -modcache` is how it is removed.
    spawnSync("go", ["clean", "-modcache"], { env: process.env, stdio: "ignore" });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(base, { recursive: true, force: true });
    log(`removed ${base}`);
  }
}

// ---------------------------------------------------------------- cached start

interface StartRuns {
  profile: ControlPlaneProfile;
  loadAtStart: string;
  startMs: number[];
  stopMs: number[];
}

async function cachedStarts(profile: ControlPlaneProfile): Promise<StartRuns> {
  // Build (untimed) whatever is missing, so that every timed start is a cached one.
  await locateBinaries(PROFILE_BINARIES[profile], { onProgress: (p) => log(`  building ${p.module}: ${p.phase}`) });
  const out: StartRuns = { profile, loadAtStart: load(), startMs: [], stopMs: [] };
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const cp = await ControlPlane.start({ profile });
    const t1 = performance.now();
    await cp.stop();
    const t2 = performance.now();
    out.startMs.push(t1 - t0);
    out.stopMs.push(t2 - t1);
    log(`  ${profile} run ${i + 1}/${runs}: start ${secs(t1 - t0)}, stop ${secs(t2 - t1)}`);
  }
  return out;
}

// ---------------------------------------------------------------- idle memory

interface Memory {
  name: string;
  rssKiB: number;
  hwmKiB: number;
}

function memoryOf(pid: number): { rssKiB: number; hwmKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
  return { rssKiB: field("VmRSS"), hwmKiB: field("VmHWM") };
}

/** The watchdog (reaper) this process started: a child node process run with `--reaper`. */
function watchdogPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, "utf8").replace(/^.*\) /, "").split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("--reaper")) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

async function idleMemory(): Promise<Memory[]> {
  const cp = await ControlPlane.start({ profile: "full" });
  try {
    log(`  full profile up; idling ${idleSeconds} s`);
    await sleep(idleSeconds * 1000);
    const rows = cp.components().map((c) => ({ name: c.name, ...memoryOf(c.pid) }));
    for (const pid of watchdogPids()) rows.push({ name: "watchdog (node, not a component)", ...memoryOf(pid) });
    return rows;
  } finally {
    await cp.stop();
  }
}

// ---------------------------------------------------------------- report

const KEPT = "_Kept from the run of";

/** With `--skip-cold`: the cold-build figures recorded by an earlier run, marked as such. */
function previousColdSection(): string | undefined {
  if (!existsSync(RESULTS_PATH)) return undefined;
  const section = /<!-- bench:controlplane -->([\s\S]*?)<!-- \/bench:controlplane -->/.exec(readFileSync(RESULTS_PATH, "utf8"))?.[1];
  const cold = section && /### Cold build\n[\s\S]*?(?=\n### |$)/.exec(section)?.[0].trim();
  if (!cold || cold.includes("Skipped in this run")) return undefined;
  if (cold.includes(KEPT)) return cold;
  const row = (name: string) => new RegExp(`^\\| ${name} \\| (.+?) \\|$`, "m").exec(section)?.[1] ?? "unknown";
  const loads = `load average at its start ${row("Load average at start \\(1/5/15 min\\)")}, at its end ${row("Load average at end \\(1/5/15 min\\)")}`;
  return `${cold}\n\n${KEPT} ${row("Date")} (${loads}); this run had \`--skip-cold\`._`;
}

function coldSection(cold: ColdBuild | undefined): string {
  if (!cold) return previousColdSection() ?? "### Cold build\n\nSkipped in this run (`--skip-cold`).";
  const rows = cold.modules.map((m) => [m.module, secs(m.resolveMs), secs(m.compileMs), secs(m.totalMs), String(m.packages)]);
  rows.push(["**all binaries**", "", "", `**${secs(cold.totalMs)}**`, ""]);
  return [
    "### Cold build",
    "",
    "All five binaries built by `buildBinaries` into a fresh cache directory, with fresh `GOMODCACHE` and `GOCACHE`: every module is downloaded and every package compiled.",
    "Modules build one after another in this order and share the Go caches, so a later module reuses what an earlier one compiled (the standard library, common dependencies).",
    "",
    table(["Go module", "resolve + download", "compile + link", "total", "packages"], rows),
    "",
    `CPU time of the go processes: ${secs(cold.cpuMs)} (wall ${secs(cold.totalMs)}); load average (1/5/15 min) when it began: ${cold.loadAtStart}. Downloaded modules: ${(cold.downloadedBytes / 2 ** 20).toFixed(0)} MiB; build cache: ${(cold.goCacheBytes / 2 ** 20).toFixed(0)} MiB.`,
    "",
    "Built binaries report:",
    "",
    ...cold.versions.map((v) => `- ${v}`),
  ].join("\n");
}

function startSection(results: StartRuns[]): string {
  const verdict = (ms: number, target: number) => (ms <= target ? "meets" : "**misses**");
  const rows = results.map((r) => {
    const target = TARGETS_MS[r.profile];
    const med = median(r.startMs);
    const worst = Math.max(...r.startMs);
    return [
      r.profile,
      String(r.startMs.length),
      `${secs(med)} (${verdict(med, target)})`,
      `${secs(worst)} (${verdict(worst, target)})`,
      `≤ ${secs(target)}`,
      r.startMs.map((ms) => (ms / 1000).toFixed(1)).join(", "),
      secs(median(r.stopMs)),
    ];
  });
  return [
    "### Cached start",
    "",
    "`ControlPlane.start({ profile })` with the binaries already built, until it resolves (minimal: `/readyz`; full: also every Node Ready and the `default` ServiceAccount), then `stop()`. No warm-up run: the first start may read the binaries from disk.",
    "",
    table(["profile", "runs", "median", "worst", "target", "every run (s)", "stop (median)"], rows),
    "",
    `Load average (1/5/15 min) before the first start: ${results.map((r) => `${r.profile} ${r.loadAtStart}`).join("; ")}.`,
  ].join("\n");
}

function memorySection(rows: Memory[]): string {
  const components = rows.filter((r) => !r.name.startsWith("watchdog"));
  const total = (xs: Memory[], k: "rssKiB" | "hwmKiB") => xs.reduce((s, r) => s + r[k], 0);
  const body = rows.map((r) => [r.name, mib(r.rssKiB), mib(r.hwmKiB)]);
  body.push(["**components total**", `**${mib(total(components, "rssKiB"))}**`, mib(total(components, "hwmKiB"))]);
  return [
    "### Idle memory (full profile)",
    "",
    `VmRSS (and the peak, VmHWM) from /proc/<pid>/status of each component ${idleSeconds} s after \`ControlPlane.start({ profile: "full" })\` resolved, 3 fake Nodes, nothing else created.`,
    "",
    table(["process", "RSS at idle", "peak RSS"], body),
  ].join("\n");
}

async function main(): Promise<void> {
  const info = await machine();
  log(`machine: ${info.map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  const cold = args["skip-cold"] ? undefined : await coldBuild();
  log("cached starts");
  const starts = [await cachedStarts("minimal"), await cachedStarts("full")];
  log("idle memory");
  const memory = await idleMemory();
  info.splice(4, 0, ["Load average at end (1/5/15 min)", load()]);

  const markdown = [
    "## Control plane",
    "",
    "Measured by [`bench/controlplane.ts`](controlplane.ts): `npm run bench -- controlplane` (`--skip-cold` skips the cold build and keeps its last recorded figures).",
    "",
    "### Machine",
    "",
    table(["", "value"], info),
    "",
    coldSection(cold),
    "",
    startSection(starts),
    "",
    memorySection(memory),
  ].join("\n");
  process.stdout.write(`${markdown}\n`);
  if (!args["dry-run"]) {
    writeResultsSection("controlplane", markdown);
    log("bench/RESULTS.md updated");
  }
}

await main();
