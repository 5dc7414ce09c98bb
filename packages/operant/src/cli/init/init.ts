// `operant init [dir] --domain <domain> [--name <name>]`: a new operator
// project that runs, tests and generates its manifests from the start.
import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { OperantError } from "../../core/errors.ts";
import { defineOperator } from "../../operator/operator.ts";
import { configLayout } from "../generate/layout.ts";
import { checkDomain, checkProjectName } from "../names/names.ts";
import { reportWrite, writeIfChanged } from "../project/project.ts";
import { dockerfile, dockerignore, gitignore, mainTs, operatorTestTs, operatorTs, packageJson, readme, tsconfigJson, type InitValues } from "./templates.ts";

/** The operant package this CLI belongs to (packages/operant in a checkout, node_modules/operant when installed). */
export function operantPackageDir(): string {
  return realpathSync(fileURLToPath(new URL("../../../", import.meta.url)));
}

/** Where `init` puts the packed operant in a new project. */
export const VENDOR_DIR = "vendor";

/**
 * The dependency a new project gets on operant. By default (operant is not
 * published on a registry yet) this operant itself, packed with `npm pack`
 * into the project's `vendor/` — `"file:vendor/operant-<version>.tgz"` — so
 * the project installs anywhere, offline, and its Dockerfile builds from it.
 * `spec` (e.g. `"^0.1.0"` once published) is used as given instead.
 *
 * @throws OperantError `PackFailed` when building or packing operant fails
 * @example
 * ```ts
 * await operantDependency("/tmp/memcached-operator") // { operant: "file:vendor/operant-0.1.0.tgz", typebox: "^1.4.3", vendored: true }
 * ```
 */
export async function operantDependency(root: string, spec?: string): Promise<{ operant: string; typebox: string; vendored: boolean }> {
  const dir = operantPackageDir();
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version: string; dependencies?: Record<string, string> };
  const typebox = pkg.dependencies?.typebox ?? "^1.4.3";
  if (spec) return { operant: spec, typebox, vendored: false };
  // From a source checkout dist/ may be older than src/: rebuild it first (an installed operant has no scripts/ and is built).
  const build = join(dir, "scripts", "build.mjs");
  if (existsSync(build) && (await run(process.execPath, [build, "--if-stale"], dir)) !== 0) {
    throw new OperantError("PackFailed", `building operant's dist/ in ${dir} failed (its output is above). Fix the cause, or pass \`--operant <version range>\` to depend on a published operant.`);
  }
  const vendor = join(root, VENDOR_DIR);
  await mkdir(vendor, { recursive: true });
  const code = await run("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", vendor], dir, "ignore");
  const file = `operant-${pkg.version}.tgz`;
  if (code !== 0 || !existsSync(join(vendor, file))) {
    throw new OperantError("PackFailed", `\`npm pack\` of ${dir} into ${vendor} exited with ${code} without writing ${file}. Fix the cause (its output is above), or pass \`--operant <version range>\` to depend on a published operant.`);
  }
  return { operant: `file:${VENDOR_DIR}/${file}`, typebox, vendored: true };
}

function run(cmd: string, args: string[], cwd: string, stdout: "inherit" | "ignore" = "inherit"): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    // npm's and tsc's output goes to stderr: stdout stays the command's own.
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", stdout === "inherit" ? process.stderr : "ignore", "inherit"] });
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
export async function initProject(dir: string, options: { domain: string; name?: string; skipInstall?: boolean; operant?: string }): Promise<string> {
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
  const deps = await operantDependency(root, options.operant);
  const v: InitValues = { name, domain: options.domain, operantDependency: deps.operant, typeboxRange: deps.typebox };
  if (deps.vendored) reportWrite(root, join(root, deps.operant.slice("file:".length)), "created");
  const files: [string, string][] = [
    ["package.json", packageJson(v)],
    ["tsconfig.json", tsconfigJson()],
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
  for (const [rel, text] of [...files, ...layout.generated, ...layout.userOwned]) {
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
    .argument("[dir]", "directory of the project", ".")
    .requiredOption("--domain <domain>", "a domain you own: API groups will be <group>.<domain> (e.g. example.com)")
    .option("--name <name>", "project and operator name (default: the directory's name)")
    .option("--skip-install", "do not run npm install")
    .option("--operant <spec>", "the project's dependency on operant, e.g. ^0.1.0 once published (default: this operant, packed into vendor/)")
    .action(async (dir: string, options: { domain: string; name?: string; skipInstall?: boolean; operant?: string }) => {
      const root = await initProject(dir, { domain: options.domain, ...(options.name && { name: options.name }), ...(options.skipInstall && { skipInstall: true }), ...(options.operant && { operant: options.operant }) });
      const cd = relative(process.cwd(), root);
      process.stderr.write(`\nProject ready${cd ? ` in ${cd}` : ""}. Next:\n${cd ? `  cd ${cd}\n` : ""}  npx operant create api --group <group> --version v1alpha1 --kind <Kind>\n`);
    });
}
