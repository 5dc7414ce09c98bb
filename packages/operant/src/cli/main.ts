// The `operant` command line. Each command lives in its own folder and
// registers itself on the program; this file only wires them and turns
// errors into a readable message and an exit code.
import { Command, CommanderError } from "commander";
import { isOperantError } from "../core/errors.ts";
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
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  program.addCommand(clusterCommand());
  program.addCommand(initCommand());
  program.addCommand(createCommand());
  program.addCommand(generateCommand());
  program.addCommand(installCommand());
  program.addCommand(uninstallCommand());
  program.addCommand(runCommand());
  program.addCommand(deployCommand());
  program.addCommand(undeployCommand());
  program.addCommand(bundleCommand());
  return program;
}

/** Runs the CLI with `argv` (as in `process.argv`) and exits with its status. */
export async function main(argv: string[]): Promise<void> {
  const program = createProgram().exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (isOperantError(err)) {
      process.stderr.write(`error [${err.code}]: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
