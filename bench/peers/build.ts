// Builds the Go peer (bench/peers/controller-runtime) on first use, as the
// control-plane binaries are built: GOTOOLCHAIN=local, CGO_ENABLED=0, modules
// from the Go module proxy only (go.sum is committed), into a cache directory
// outside the repository, keyed by a hash of the module's sources.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { acquireDirLock } from "../../packages/operant/src/testing/assets/lock.ts";
import { defaultCacheDir } from "../../packages/operant/src/testing/index.ts";

/** The Go peer's module directory. */
export const GO_PEER_DIR = new URL("./controller-runtime/", import.meta.url).pathname;

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, GOTOOLCHAIN: "local", CGO_ENABLED: "0", GOWORK: "off", GOFLAGS: "-mod=readonly" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} failed (exit ${code}) in ${cwd}:\n${err.slice(-3000)}`))));
  });
}

/** `go version` of the toolchain on PATH, e.g. "go1.26.8". */
export async function goVersion(): Promise<string> {
  return (await run("go", ["env", "GOVERSION"], process.cwd())).trim();
}

/** The version of a module the Go peer requires, from its go.mod (e.g. "sigs.k8s.io/controller-runtime" → "v0.24.1"). */
export function goPeerRequirement(module: string): string {
  const goMod = readFileSync(join(GO_PEER_DIR, "go.mod"), "utf8");
  return goMod.match(new RegExp(`^\\s*${module.replaceAll(".", "\\.")} (v\\S+)`, "m"))?.[1] ?? "unknown";
}

/**
 * Returns the path of the Go peer's binary, building it first if this
 * version of its sources was never built. Safe to call from several
 * processes at once.
 *
 * @example
 * ```ts
 * const peer = await buildGoPeer((m) => process.stderr.write(m + "\n"));
 * spawn(peer, ["--mode", "idle", "--kubeconfig", kc, "--namespace", "bench-idle"]);
 * ```
 */
export async function buildGoPeer(log: (message: string) => void = () => {}): Promise<string> {
  const files = readdirSync(GO_PEER_DIR).filter((f) => f === "go.mod" || f === "go.sum" || f.endsWith(".go")).sort();
  const hash = createHash("sha256");
  for (const f of files) hash.update(f).update("\0").update(readFileSync(join(GO_PEER_DIR, f))).update("\0");
  const dir = join(dirname(defaultCacheDir()), "peers", `controller-runtime-${hash.digest("hex").slice(0, 16)}`);
  const binary = join(dir, "peer");
  if (existsSync(binary)) return binary;
  await mkdir(dirname(dir), { recursive: true });
  const release = await acquireDirLock(`${dir}.lock`, { waitingMessage: "another process is building the Go peer" });
  try {
    if (existsSync(binary)) return binary;
    log(`building the controller-runtime peer into ${dir} (first use of this version; a few minutes)…`);
    const started = Date.now();
    await mkdir(dir, { recursive: true });
    const partial = `${binary}.partial-${process.pid}`;
    await run("go", ["build", "-trimpath", "-o", partial, "."], GO_PEER_DIR);
    await rename(partial, binary);
    log(`  built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return binary;
  } finally {
    await release();
    await rm(`${binary}.partial-${process.pid}`, { force: true });
  }
}
