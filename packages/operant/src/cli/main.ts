// The `operant` command line. Each command lives in its own folder and
// registers itself on the program; this file only wires them and turns
// errors into one readable line and an exit code.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { OperantError } from "../core/errors.ts";
import { describeFailure } from "../operator/log-format.ts";
import { buildCommand } from "./build/build.ts";
import { bundleCommand } from "./bundle/bundle.ts";
import { clusterCommand } from "./cluster/cluster.ts";
import { createCommand } from "./create/create.ts";
import { deployCommand } from "./deploy/deploy.ts";
import { generateCommand } from "./generate/generate.ts";
import { initCommand } from "./init/init.ts";
import { installCommand } from "./install/install.ts";
import { runCommand } from "./run/run.ts";
import { undeployCommand } from "./undeploy/undeploy.ts";
import { uninstallCommand } from "./uninstall/uninstall.ts";

/** This operant's version (package.json). */
export function operantVersion(): string {
  return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
}

/**
 * Builds the `operant` program (exported for tests and for embedding).
 *
 * @example
 * ```ts
 * await createProgram().parseAsync(["node", "operant", "cluster", "status"]);
 * ```
 */
export function createProgram(): Command {
  const program = new Command("operant")
    .description("Build, run and test Kubernetes operators in TypeScript")
    // Root options only before a command: `create api --version v1` is the command's flag.
    .enablePositionalOptions()
    .version(operantVersion(), "-V, --version", "print operant's version")
    .option("--debug", "report a failure with its stack (also after a command: operant generate --debug)")
    .addHelpText("after", "\nWith no command, prints this help. A failure prints one line, error [Code]: what happened and what to do, and exits 1.")
    .configureHelp({ sortSubcommands: true });
  program.addCommand(clusterCommand());
  program.addCommand(initCommand());
  program.addCommand(createCommand());
  program.addCommand(generateCommand());
  program.addCommand(installCommand());
  program.addCommand(uninstallCommand());
  program.addCommand(runCommand());
  program.addCommand(buildCommand());
  program.addCommand(deployCommand());
  program.addCommand(undeployCommand());
  program.addCommand(bundleCommand());
  return program;
}

/** Commander's own errors print nothing: {@link main} reports them, as one line. */
function quiet(cmd: Command): void {
  cmd.exitOverride().configureOutput({ outputError: () => {} });
  for (const sub of cmd.commands) quiet(sub);
}

/**
 * Runs the CLI with `argv` (as in `process.argv`) and exits with its status:
 * 0 on success (and for help and `--version`), 1 on a failure, reported on
 * stderr as one line `error [Code]: message` (with the stack after it under
 * `--debug`).
 *
 * @example
 * ```ts
 * await main(process.argv);
 * ```
 */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram();
  quiet(program);
  if (argv.length <= 2) {
    // Bare `operant`: the help, on stdout, and success (unlike commander's default of help on stderr and exit 1).
    program.outputHelp();
    return;
  }
  // --debug anywhere (not only before the command), except for `run`, which passes it on to the operator.
  const debug = argv.includes("--debug");
  const first = argv.slice(2).find((a) => !a.startsWith("-"));
  const args = first === "run" ? argv : [...argv.slice(0, 2), ...(debug ? ["--debug"] : []), ...argv.slice(2).filter((a) => a !== "--debug")];
  try {
    await program.parseAsync(args);
  } catch (err) {
    let failure = err;
    if (err instanceof CommanderError) {
      if (err.exitCode === 0 || err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") process.exit(err.exitCode);
      const where = argv.slice(2).filter((a) => !a.startsWith("-"))[0];
      const command = where && program.commands.some((c) => c.name() === where) ? `operant ${where}` : "operant";
      failure = new OperantError("InvalidArgument", `${err.message.replace(/^error: /, "").replace(/\.$/, "")} — run \`${command} --help\` for the commands and flags.`, { cause: err });
    }
    const f = describeFailure(failure);
    process.stderr.write(`error [${f.code}]: ${f.message}\n`);
    if (debug && f.stack) process.stderr.write(`${f.stack}\n`);
    process.exit(1);
  }
}
