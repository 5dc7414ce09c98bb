// `operant run` under `npx`: SIGTERM to npm exec ends its shell without
// passing the signal on, which orphaned the operator (issue 12, finding 9).
// Here a shell stands in for npm exec's: it starts a process that runs
// runProject (as the operant CLI does) on a stub project whose main.ts says
// its pid and records the SIGTERM it gets. The shell is terminated; the
// operator must be told to stop and exit.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitFor(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) assert.fail(`still waiting after ${timeoutMs} ms for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("the operator stops when the process that started `operant run` (npx's shell) is terminated without passing the signal on", { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "operant-run-"));
  const marker = join(dir, "stopped");
  await mkdir(join(dir, "src"));
  await writeFile(
    join(dir, "src", "main.ts"),
    `import { writeFileSync } from "node:fs";
process.stdout.write("operator pid " + process.pid + "\\n");
process.on("SIGTERM", () => { writeFileSync(${JSON.stringify(marker)}, "SIGTERM"); process.exit(0); });
setInterval(() => {}, 1000);
`,
  );
  const runTs = fileURLToPath(new URL("./run.ts", import.meta.url));
  const cli = join(dir, "cli.ts");
  await writeFile(cli, `import { runProject } from ${JSON.stringify(runTs)};\nconst r = await runProject(${JSON.stringify(dir)}, []);\nprocess.exit(r.code ?? 1);\n`);
  // "; true" keeps the shell as the CLI's parent (it does not exec the command), as npm exec's shell is.
  const shell = spawn("sh", ["-c", `"${process.execPath}" "${cli}"; true`], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  shell.stdout.on("data", (b: Buffer) => (out += b.toString()));
  let operatorPid = 0;
  t.after(async () => {
    if (operatorPid && alive(operatorPid)) process.kill(operatorPid, "SIGKILL");
    if (alive(shell.pid!)) shell.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });
  await waitFor("the operator to start", () => /operator pid (\d+)/.test(out));
  operatorPid = Number(/operator pid (\d+)/.exec(out)![1]);

  shell.kill("SIGTERM");
  await waitFor("the operator to receive SIGTERM", () => existsSync(marker));
  await waitFor("the operator to exit", () => !alive(operatorPid));
});
