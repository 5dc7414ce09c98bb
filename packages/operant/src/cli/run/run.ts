// `operant run [flags…]`: runs the project's operator on this machine
// (`node src/main.ts`) against the cluster of the current kubeconfig, passing
// every flag through (--watch-namespace default, --kubeconfig …); SIGTERM is
// passed on and Ctrl-C reaches it directly, so it shuts down gracefully.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Command } from "commander";
import { OperantError } from "../../core/errors.ts";
import { CustomResourceDefinition } from "../../kinds/index.ts";
import { operatorCommand } from "../../operator/run.ts";
import { connectCluster, findProject, loadOperator } from "../project/project.ts";

/** The value of `--name value` or `--name=value` in `args`. */
function flagValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

/**
 * Checks what `run` needs before starting: dependencies installed, a
 * reachable cluster, the CRDs installed. Returns warnings (missing CRDs do
 * not stop the run: the operator waits for them).
 */
async function preflight(root: string, args: readonly string[]): Promise<string[]> {
  // As Node resolves it: node_modules/operant in the project or any parent (a workspace hoists it to its root).
  try {
    createRequire(join(root, "package.json")).resolve("operant/package.json");
  } catch {
    throw new OperantError("DependenciesMissing", `${root} cannot import operant (no node_modules/operant in it or a parent directory): run \`npm install\` in the project first.`);
  }
  const operator = await loadOperator(root);
  const client = await connectCluster({ kubeconfig: flagValue(args, "--kubeconfig"), context: flagValue(args, "--context") });
  const warnings: string[] = [];
  try {
    for (const r of operator.resources) {
      const name = `${r.plural}.${r.group}`;
      if (!(await client.tryGet(CustomResourceDefinition, { name }))) warnings.push(`CRD ${name} is not installed: run \`operant install\` (the operator cannot watch ${r.kind} until then).`);
    }
  } finally {
    await client.close();
  }
  return warnings;
}

/** How often `runProject` checks that its parent process is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Runs `node src/main.ts …args` in the project and resolves with its exit
 * code; SIGTERM and SIGHUP sent to this process go to it (SIGINT from a
 * terminal reaches it directly), and so does a SIGTERM when this process's
 * own parent goes away (e.g. `npx`'s `npm exec` was terminated): the
 * operator is never left running as an orphan.
 *
 * @example
 * ```ts
 * process.exitCode = await runProject(project.root, ["--watch-namespace", "default"]);
 * ```
 */
export function runProject(root: string, args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    // Logs readable on this machine (runOperator's text format) unless --log-format or OPERANT_LOG_FORMAT says otherwise.
    const env = { ...process.env, OPERANT_LOG_FORMAT: process.env.OPERANT_LOG_FORMAT ?? "text" };
    const child = spawn(process.execPath, [join(root, "src", "main.ts"), ...args], { cwd: root, stdio: ["ignore", "inherit", "inherit"], env });
    // SIGTERM and SIGHUP are passed on. SIGINT is not: a Ctrl-C in the terminal already reaches the
    // whole foreground process group, the operator included, and a second SIGINT would make it exit
    // at once instead of draining. This process just waits for the operator to finish.
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    const ignore = () => {};
    const signals: NodeJS.Signals[] = ["SIGTERM", "SIGHUP"];
    for (const s of signals) process.on(s, forward);
    process.on("SIGINT", ignore);
    // Our own parent may die without passing a signal on (`npx operant run`: SIGTERM ends npm exec's shell,
    // and this process is orphaned). Adopted by another process means the parent is gone: stop the
    // operator as for SIGTERM, rather than leave it running with nobody to stop it.
    const parent = process.ppid;
    const orphaned = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(orphaned);
      process.stderr.write(`operant run: the parent process (pid ${parent}) is gone; stopping the operator\n`);
      forward("SIGTERM");
    }, PARENT_CHECK_MS);
    orphaned.unref();
    const cleanup = () => {
      clearInterval(orphaned);
      for (const s of signals) process.off(s, forward);
      process.off("SIGINT", ignore);
    };
    child.on("error", (err) => {
      cleanup();
      reject(err);
    });
    child.on("exit", (code, signal) => {
      cleanup();
      resolve({ code, signal });
    });
  });
}

/**
 * The `run` command.
 *
 * @example
 * ```sh
 * operant run --watch-namespace default
 * ```
 */
export function runCommand(): Command {
  return new Command("run")
    .description("Run the operator on this machine (node src/main.ts) against the current kubeconfig's cluster, logging as text; flags pass through (--watch-namespace, --kubeconfig, --leader-elect, --log-level, --log-format json, …)")
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .argument("[flags...]", "flags for src/main.ts")
    .action(async (flags: string[]) => {
      const help = flags.includes("--help") || flags.includes("-h");
      if (help && !(await findProject().catch(() => undefined))) {
        // Outside a project: the standard flags every operant operator takes (a project's main.ts adds its own).
        const usage = operatorCommand({ name: "operant run", leaderElection: { mode: "lease", id: "<operator>" } })
          .usage("[flags…]")
          .description("Runs the operator of the project in the current directory (node src/main.ts) against the current kubeconfig's cluster, with these flags. In a project, `operant run --help` lists its own flags too.");
        process.stdout.write(usage.helpInformation());
        return;
      }
      const project = await findProject();
      if (!help) {
        for (const w of await preflight(project.root, flags)) process.stderr.write(`warning: ${w}\n`);
      }
      const { code, signal } = await runProject(project.root, flags);
      if (signal) {
        process.stderr.write(`the operator was stopped by ${signal}\n`);
        process.exitCode = 1;
      } else process.exitCode = code ?? 1;
    });
}
