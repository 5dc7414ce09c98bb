// Finds the control-plane binaries, honouring the conventions envtest users
// already have, and builds what is missing.
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { OperantError } from "../../core/errors.ts";
import { buildBinaries, builtBinaryPath, type BuildProgress } from "./build.ts";
import type { BinaryName } from "./versions.ts";

/**
 * Where a binary was found.
 *
 * @example
 * ```ts
 * const found = await locateBinaries(["etcd"]);
 * const etcd: LocatedBinary | undefined = found.get("etcd");
 * console.log(etcd?.path, etcd?.source);
 * ```
 */
export interface LocatedBinary {
  name: BinaryName;
  path: string;
  source: "TEST_ASSET" | "KUBEBUILDER_ASSETS" | "cache" | "built";
}

/**
 * Options for {@link locateBinaries}.
 *
 * @example
 * ```ts
 * await locateBinaries(["etcd", "kube-apiserver"], { build: false } satisfies LocateOptions); // only what is cached or in KUBEBUILDER_ASSETS
 * ```
 */
export interface LocateOptions {
  /** Build missing binaries with Go (default true). When false, a missing binary is an error. */
  build?: boolean;
  /** Cache directory for built binaries (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** Build progress (default: nothing; the CLI prints it). */
  onProgress?: (p: BuildProgress) => void;
  signal?: AbortSignal;
  /** Environment to read TEST_ASSET_* and KUBEBUILDER_ASSETS from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The cache directory for built control-plane binaries:
 * `$OPERANT_CACHE_DIR`, else `$XDG_CACHE_HOME/operant/controlplane`, else `~/.cache/operant/controlplane`.
 *
 * @example
 * ```ts
 * defaultCacheDir() // "/home/me/.cache/operant/controlplane"
 * ```
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OPERANT_CACHE_DIR) return join(env.OPERANT_CACHE_DIR, "controlplane");
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "operant", "controlplane");
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `kube-apiserver` → `TEST_ASSET_KUBE_APISERVER`, as envtest names them. */
function assetVariable(name: BinaryName): string {
  return `TEST_ASSET_${name.toUpperCase().replace(/-/g, "_")}`;
}

function findExisting(name: BinaryName, env: NodeJS.ProcessEnv, cacheDir: string): LocatedBinary | undefined {
  const explicit = env[assetVariable(name)];
  if (explicit) {
    if (!executable(explicit)) {
      throw new OperantError("ControlPlaneBinaryMissing", `${assetVariable(name)}=${explicit} is not an executable file. Fix the variable or unset it to let operant build ${name}.`);
    }
    return { name, path: explicit, source: "TEST_ASSET" };
  }
  if (env.KUBEBUILDER_ASSETS) {
    const p = join(env.KUBEBUILDER_ASSETS, name);
    if (executable(p)) return { name, path: p, source: "KUBEBUILDER_ASSETS" };
  }
  const built = builtBinaryPath(cacheDir, name);
  if (executable(built)) return { name, path: built, source: "cache" };
  return undefined;
}

/**
 * Returns the path of each binary, looking in order at `TEST_ASSET_<NAME>`,
 * `$KUBEBUILDER_ASSETS/<name>` and operant's cache, and building the missing
 * ones from Go modules (minutes the first time, then cached).
 *
 * @example
 * ```ts
 * const bins = await locateBinaries(["etcd", "kube-apiserver"], { onProgress: console.log });
 * bins.get("etcd")!.path
 * ```
 */
export async function locateBinaries(names: BinaryName[], options: LocateOptions = {}): Promise<Map<BinaryName, LocatedBinary>> {
  const env = options.env ?? process.env;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const found = new Map<BinaryName, LocatedBinary>();
  const missing: BinaryName[] = [];
  for (const name of names) {
    const hit = findExisting(name, env, cacheDir);
    if (hit) found.set(name, hit);
    else missing.push(name);
  }
  if (missing.length === 0) return found;
  if (options.build === false) {
    throw new OperantError(
      "ControlPlaneBinaryMissing",
      `no ${missing.join(", ")} binary found (looked at TEST_ASSET_*, KUBEBUILDER_ASSETS and ${cacheDir}). ` +
        "Run `npx operant cluster build` to build them from Go modules, or set KUBEBUILDER_ASSETS.",
    );
  }
  await buildBinaries(missing, { cacheDir, ...(options.onProgress && { onProgress: options.onProgress }), ...(options.signal && { signal: options.signal }) });
  for (const name of missing) found.set(name, { name, path: builtBinaryPath(cacheDir, name), source: "built" });
  return found;
}
