// Entry point of every root npm script (`npm test`, `npm run demo`, …).
// Plain JavaScript so that it runs on any Node.js npm runs on: it finds a
// supported Node.js (fetching Node 24 LTS from the npm registry when the system
// one is too old), installs the workspace's dependencies when they are missing
// or stale, then runs scripts/<task>.ts on the supported Node.js.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { supportedNode } from "../packages/operant/bin/supported-node.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [task, ...args] = process.argv.slice(2);
const tasks = { test: "test.ts", "test-stress": "test-stress.ts", fuzz: "fuzz.ts", demo: "demo.ts", bench: "bench.ts", operant: "../packages/operant/bin/operant.mjs" };
if (!task || !(task in tasks)) {
  process.stderr.write(`usage: node scripts/bootstrap.mjs <${Object.keys(tasks).join("|")}> [args…]\n`);
  process.exit(2);
}

let node;
try {
  node = supportedNode();
} catch (err) {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

// Dependencies: `npm ci` when node_modules is missing or older than the lockfile.
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  process.stderr.write("operant: installing dependencies (npm ci)…\n");
  const r = spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// packages/operant/dist (what `operant` resolves to outside this repository's scripts, e.g. an
// example's `npm start`) is rebuilt when a source file is newer than it, and files of moved or deleted
// sources are removed: the package's own build script decides both.
{
  const r = spawnSync(node, [join(root, "packages", "operant", "scripts", "build.mjs"), "--if-stale"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// The supported node goes first on PATH so that child processes (`node`, `npx`) use it too, and
// inside this repository `operant` resolves to its TypeScript sources (the "operant-source" export condition).
const nodeOptions = [process.env.NODE_OPTIONS, "--conditions=operant-source"].filter(Boolean).join(" ");
const env = { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}`, NODE_OPTIONS: nodeOptions };
const child = spawn(node, [join(root, "scripts", tasks[task]), ...args], { stdio: "inherit", env, cwd: root });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
