// `operant init [dir] --domain <domain> [--name <name>]`: a new operator
// project that runs, tests and generates its manifests from the start.
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { basename, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { OperantError } from "../../core/errors.ts";
import { defineOperator } from "../../operator/operator.ts";
import { configLayout } from "../generate/layout.ts";
import { checkDomain, checkProjectName } from "../names/names.ts";
import { reportWrite, writeIfChanged } from "../project/project.ts";
import { dockerfile, dockerignore, gitignore, mainTs, operatorTestTs, operatorTs, packageJson, readme, tsconfigBuildJson, tsconfigJson, type InitValues } from "./templates.ts";

/** The operant package this CLI belongs to (packages/operant in a checkout, node_modules/operant when installed). */
export function operantPackageDir(): string {
  return realpathSync(fileURLToPath(new URL("../../../", import.meta.url)));
}

/**
 * The dependency a new project gets on operant: a `file:` path to this
 * package when the CLI runs from a source checkout (works offline, follows
 * local changes), else a caret range of this version.
 *
 * @example
 * ```ts
 * await operantDependency() // "file:/home/me/operant/packages/operant" or "^0.1.0"
 * ```
 */
export async function operantDependency(): Promise<{ operant: string; typebox: string }> {
  const dir = operantPackageDir();
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string; dependencies?: Record<string, string> };
  const inNodeModules = dir.split(sep).includes("node_modules");
  return { operant: inNodeModules ? `^${pkg.version}` : `file:${dir}`, typebox: pkg.dependencies?.typebox ?? "^1.4.3" };
}

function run(cmd: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => resolvePromise(code ?? 1));
  });
}

/**
 * Writes a new project into `dir` (created if missing; must not already hold a project).
 *
 * @example
 * ```ts
 * await initProject("memcached-operator", { domain: "example.com", skipInstall: true });
 * ```
 */
export async function initProject(dir: string, options: { domain: string; name?: string; skipInstall?: boolean }): Promise<string> {
  const root = resolve(dir);
  const name = options.name ?? basename(root);
  checkProjectName(name);
  checkDomain(options.domain);
  if (existsSync(root)) {
    const taken = (await readdir(root)).filter((f) => ["package.json", "src", "config", "tsconfig.json"].includes(f)).sort();
    if (taken.length > 0) {
      throw new OperantError("ProjectExists", `${root} already has ${taken.join(", ")}: \`operant init\` only writes into a new or empty directory. Pick another directory, or add APIs to this project with \`operant create api\`.`);
    }
  }
  await mkdir(root, { recursive: true });
  const deps = await operantDependency();
  const v: InitValues = { name, domain: options.domain, operantDependency: deps.operant, typeboxRange: deps.typebox };
  const files: [string, string][] = [
    ["package.json", packageJson(v)],
    ["tsconfig.json", tsconfigJson()],
    ["tsconfig.build.json", tsconfigBuildJson()],
    ["src/operator.ts", operatorTs(v)],
    ["src/main.ts", mainTs()],
    ["test/operator.test.ts", operatorTestTs()],
    ["Dockerfile", dockerfile(v)],
    [".dockerignore", dockerignore()],
    [".gitignore", gitignore()],
    ["README.md", readme(v)],
  ];
  // config/ of an operator with nothing in it yet, from the same generator as `operant generate`.
  const layout = configLayout(defineOperator({ name, controllers: [] }));
  for (const [rel, text] of [...files, ...layout.generated]) {
    const path = join(root, rel);
    reportWrite(root, path, await writeIfChanged(path, text));
  }
  if (!options.skipInstall) {
    process.stderr.write("running npm install…\n");
    const code = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], root);
    if (code !== 0) throw new OperantError("NpmInstallFailed", `npm install in ${root} exited with ${code} (its output is above). Fix the cause (network, registry, disk) and run \`npm install\` there yourself.`);
  }
  return root;
}

/**
 * The `init` command.
 *
 * @example
 * ```sh
 * operant init memcached-operator --domain example.com
 * ```
 */
export function initCommand(): Command {
  return new Command("init")
    .description("Create a new operator project (package.json, src/, test/, config/, Dockerfile) and install its dependencies")
    .argument("[dir]", "directory of the project (default: the current directory)", ".")
    .requiredOption("--domain <domain>", "a domain you own: API groups will be <group>.<domain> (e.g. example.com)")
    .option("--name <name>", "project and operator name (default: the directory's name)")
    .option("--skip-install", "do not run npm install")
    .action(async (dir: string, options: { domain: string; name?: string; skipInstall?: boolean }) => {
      const root = await initProject(dir, { domain: options.domain, ...(options.name && { name: options.name }), ...(options.skipInstall && { skipInstall: true }) });
      const cd = relative(process.cwd(), root);
      process.stderr.write(`\nProject ready${cd ? ` in ${cd}` : ""}. Next:\n${cd ? `  cd ${cd}\n` : ""}  npx operant create api --group <group> --version v1alpha1 --kind <Kind>\n`);
    });
}
