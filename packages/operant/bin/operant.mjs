#!/usr/bin/env node
// The `operant` command. Runs the CLI on this Node.js when it is recent enough,
// otherwise re-executes itself on a supported one (see supported-node.mjs).
import { spawn } from "node:child_process";
import { isSupported, supportedNode } from "./supported-node.mjs";

if (isSupported()) {
  const { main } = await import("../src/cli/main.ts");
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
