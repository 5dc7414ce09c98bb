#!/usr/bin/env node
// Builds dist/ (JavaScript + declarations) from src/ with TypeScript: what an
// installed operant, a packed tarball and a container image load. Plain
// JavaScript so that it runs on whatever Node.js npm runs lifecycle scripts on.
//
//   node scripts/build.mjs            build (the "prepare" script)
//   node scripts/build.mjs --clean    delete dist/ first (the "prepack" script: a tarball never carries stale files)
//   node scripts/build.mjs --if-stale remove dist/ files whose source is gone; build only when a file in src/ is newer than dist/
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(pkg, "dist");
const args = new Set(process.argv.slice(2));

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// Files in dist/ whose source is gone (moved or deleted since the last build) would be packed and
// published: remove them. tsc never deletes outputs, and --if-stale skips the clean.
function prune(dir) {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      prune(p);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
      continue;
    }
    const base = p.slice(dist.length + 1).replace(/(\.d\.ts|\.js\.map|\.js)$/, "");
    if (base !== p.slice(dist.length + 1) && !existsSync(join(pkg, "src", `${base}.ts`))) rmSync(p);
  }
}

const stamp = join(dist, "index.js");
if (args.has("--if-stale")) prune(dist);
if (args.has("--if-stale") && existsSync(stamp) && statSync(stamp).mtimeMs >= newest(join(pkg, "src"))) process.exit(0);

let tsc;
try {
  // The TypeScript of this package or of the workspace root it lives in.
  tsc = createRequire(join(pkg, "package.json")).resolve("typescript/bin/tsc");
} catch {
  process.stderr.write(
    "operant: building dist/ needs TypeScript and the type packages of its dependencies, which are not installed — " +
      "run `npm ci` at the root of the repository first (a fresh clone has no node_modules), then run this command again.\n",
  );
  process.exit(1);
}
if (args.has("--clean")) rmSync(dist, { recursive: true, force: true });
process.stderr.write("operant: building packages/operant/dist (tsc)…\n");
const r = spawnSync(process.execPath, [tsc, "-p", join(pkg, "tsconfig.build.json")], { cwd: pkg, stdio: "inherit" });
process.exit(r.status ?? 1);
