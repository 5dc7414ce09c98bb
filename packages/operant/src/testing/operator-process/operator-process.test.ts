import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isOperantError } from "../../core/errors.ts";
import { OperatorProcess } from "./operator-process.ts";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("OperatorProcess", () => {
  let dir: string;
  const script = (name: string) => join(dir, name);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "operant-operator-process-"));
    // Logs like pino, then a line of plain text, then keeps running until SIGTERM.
    await writeFile(
      script("logs.mjs"),
      `console.log(JSON.stringify({ level: 30, msg: "manager starting", metrics: "127.0.0.1:1" }));
setTimeout(() => console.log("plain text"), 50);
setTimeout(() => console.log(JSON.stringify({ msg: "late", n: 2 })), 100);
process.on("SIGTERM", () => { console.log(JSON.stringify({ msg: "draining" })); process.exit(0); });
setInterval(() => {}, 1000);
`,
    );
    await writeFile(script("fails.mjs"), `console.error("error [NoKubeconfig]: no kubeconfig found"); process.exit(2);\n`);
    await writeFile(script("sleeps.mjs"), `setInterval(() => {}, 1000);\n`);
    // Starts a sleeping OperatorProcess, prints its pid, and waits to be killed.
    await writeFile(
      script("parent.ts"),
      `import { OperatorProcess } from ${JSON.stringify(new URL("./operator-process.ts", import.meta.url).pathname)};
const op = OperatorProcess.start({ script: ${JSON.stringify(join(dir, "sleeps.mjs"))} });
console.log(op.child.pid);
setInterval(() => {}, 1000);
`,
    );
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("collects JSON lines and plain text; waitForLine sees lines printed before and after it is called; stop() sends SIGTERM", async () => {
    const op = OperatorProcess.start({ script: script("logs.mjs"), name: "logs" });
    const started = await op.waitForLine((l) => l.msg === "manager starting");
    assert.equal(started.metrics, "127.0.0.1:1");
    const late = await op.waitForLine((l) => l.msg === "late", { timeoutMs: 5_000 });
    assert.equal(late.n, 2);
    assert.ok(op.lines.some((l) => l.msg === "plain text"), "a non-JSON line is kept as { msg }");
    assert.ok(op.running);
    await op.stop();
    assert.equal(op.running, false);
    assert.deepEqual(await op.exited, { code: 0, signal: null });
    assert.equal(op.lines.at(-1)?.msg, "draining", "SIGTERM first: the process shut down on its own");
  });

  test("waitForLine rejects when the process exits first, with its stderr; or after its timeout", async () => {
    const failing = OperatorProcess.start({ script: script("fails.mjs"), name: "failing" });
    await assert.rejects(failing.waitForLine((l) => l.msg === "manager starting", { what: "the manager to start" }), (err) => isOperantError(err, "OperatorProcessExited") && /failing exited \(2\) before the manager to start; stderr: error \[NoKubeconfig\]: no kubeconfig found/.test(err.message));
    const quiet = OperatorProcess.start({ script: script("sleeps.mjs"), name: "quiet" });
    await assert.rejects(quiet.waitForLine(() => false, { timeoutMs: 300, what: "a line" }), (err) => isOperantError(err, "OperatorProcessTimeout") && /quiet: no a line within 300 ms/.test(err.message));
    await OperatorProcess.killAll([quiet, failing]);
    assert.equal(quiet.running, false);
  });

  test("the process exits when the test process that started it dies", async () => {
    const parent = spawn(process.execPath, [script("parent.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    const chunk = await new Promise<Buffer>((resolve) => parent.stdout.once("data", resolve));
    const pid = Number(chunk.toString().trim());
    assert.ok(alive(pid), "the operator process runs");
    parent.kill("SIGKILL");
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
    assert.equal(alive(pid), false, "it exited with its parent");
  });
});
