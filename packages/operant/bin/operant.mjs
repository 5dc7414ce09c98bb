#!/usr/bin/env node
// The `operant` command. Runs the CLI on this Node.js when it is recent enough,
// otherwise re-executes itself on a supported one (see supported-node.mjs).
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import { isSupported, supportedNode } from "./supported-node.mjs";

if (isSupported()) {
  // From a source checkout, run the TypeScript sources; from an installed
  // package (Node does not strip types under node_modules), the built dist/.
  const here = realpathSync(fileURLToPath(import.meta.url));
  const source = new URL("../src/cli/main.ts", import.meta.url);
  const fromSource = !here.split(sep).includes("node_modules") && existsSync(source);
  const { main } = await import(fromSource ? source.href : new URL("../dist/cli/main.js", import.meta.url).href);
  await main(process.argv);
} else {
  let node;
  try {
    node = supportedNode();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  const child = spawn(node, [new URL(import.meta.url).pathname, ...process.argv.slice(2)], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
