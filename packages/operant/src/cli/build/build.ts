// `operant build`: the project's operator as ONE JavaScript file,
// dist/operator.mjs — src/main.ts with operant and every dependency bundled
// and minified by esbuild. The image runs `node dist/operator.mjs` and needs
// no node_modules: nothing to resolve, strip or compile at startup.
//
// Measured on the memcached example (bench/RESULTS.md, "the deployed
// operator"): the bundled form starts with about half the CPU of dist/main.js
// (tsc output importing ~720 modules) and idles 15–25 MB lower, because one
// minified script is less source, fewer module records and less bytecode
// than hundreds of files.
//
// Code that operant loads only when first used (TypeBox's compiler and value
// modules, some 300 modules) is required through `createRequire` in its own
// source so that an unbundled operator never pays for it at start. A bundle
// has no node_modules to require from: the plugin below turns those calls
// (operant's files only, named `requireModule`) into plain `require` calls,
// which esbuild bundles and still evaluates on first use.
//
// undici's entry point loads all of undici: fetch, WebSocket, EventSource, the
// mock agents, caches, cookies — half the bundle's source, evaluated at start,
// and its web code pulls in Node's own copy of undici and the web streams. The
// transport uses only the dispatchers and their errors: in a bundle, operant's
// `import … from "undici"` is served by those modules alone (the proxy agents
// evaluated on first use). A later undici that moved them makes the bundle
// fall back to the whole package (and `BuildResult.leanUndici` says so).
//
// Node's built-in modules are required, not imported, by the bundle: an ES
// import of a built-in goes through its ES module facade, which reads every
// export, lazy ones included — `import … from "node:http"` alone loads http2,
// zlib, readline, the web streams and Node's internal copy of undici (+13 MB
// resident, measured). `require` returns the module without touching them.
import { readFile, stat } from "node:fs/promises";
import { builtinModules } from "node:module";
import { join, relative, resolve } from "node:path";
import { Command } from "commander";
import type * as Esbuild from "esbuild";
import type { Plugin } from "esbuild";
import { OperantError } from "../../core/errors.ts";
import { findProject } from "../project/project.ts";

/** What `operant build` made. */
export interface BuildResult {
  /** Absolute path of the bundle. */
  readonly outfile: string;
  /** Its size in bytes. */
  readonly bytes: number;
  /** How many source files went into it. */
  readonly inputs: number;
  /** undici's dispatchers were bundled without the rest of undici (see the file comment); false: the whole package. */
  readonly leanUndici: boolean;
}

/** Options of {@link buildOperator}. */
export interface BuildOptions {
  /** The entry point, relative to the project (default `src/main.ts`). */
  readonly entry?: string;
  /** The bundle, relative to the project (default `dist/operator.mjs`). */
  readonly outfile?: string;
  /** Minify (default true: less source kept in memory by the running operator). */
  readonly minify?: boolean;
  /** Write `<outfile>.map` beside it (default true; used with `node --enable-source-maps`). */
  readonly sourcemap?: boolean;
}

/** An ES module bundle may still contain `require` calls of CommonJS dependencies (node: builtins); give it one. */
const REQUIRE_SHIM = 'import { createRequire as __operantCreateRequire } from "node:module"; const require = __operantCreateRequire(import.meta.url);';

/**
 * Bundles the project at `root` into one ES module file.
 *
 * @throws OperantError `BuildFailed` listing esbuild's errors with their file and line
 * @example
 * ```ts
 * const { outfile, bytes } = await buildOperator("/home/me/memcached-operator");
 * // node dist/operator.mjs --help
 * ```
 */
export async function buildOperator(root: string, options: BuildOptions = {}): Promise<BuildResult> {
  const esbuild = await loadEsbuild(root);
  const lean = leanUndici();
  const outfile = resolve(root, options.outfile ?? join("dist", "operator.mjs"));
  const entry = resolve(root, options.entry ?? join("src", "main.ts"));
  let result: Awaited<ReturnType<typeof esbuild.build>>;
  try {
    result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      minify: options.minify ?? true,
      sourcemap: (options.sourcemap ?? true) ? "linked" : false,
      // Names stay readable in stacks and in `err.name` checks.
      keepNames: true,
      banner: { js: REQUIRE_SHIM },
      metafile: true,
      logLevel: "silent",
      legalComments: "none",
      plugins: [lazyRequires, lean.plugin, builtinsByRequire],
      // Only the legacy oidc auth-provider of out-of-cluster kubeconfigs uses it (845 files, ~700 KB of source);
      // a bundled operator that meets such a kubeconfig says so (KubeconfigUnsupported).
      external: ["@kubernetes/client-node"],
    });
  } catch (err) {
    const failure = err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] };
    const lines = (failure.errors ?? []).map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text));
    throw new OperantError("BuildFailed", `bundling ${relative(root, entry)} failed${lines.length ? `:\n  ${lines.slice(0, 10).join("\n  ")}` : `: ${(err as Error).message}`}\nFix the errors above (\`npm run typecheck\` shows type errors too) and run \`operant build\` again.`, { cause: err });
  }
  return { outfile, bytes: (await stat(outfile)).size, inputs: Object.keys(result.metafile?.inputs ?? {}).length, leanUndici: lean.used() };
}

/** esbuild, an optional peer dependency of operant: a project made by `operant init` has it as a dev dependency. */
async function loadEsbuild(root: string): Promise<typeof Esbuild> {
  try {
    return await import("esbuild");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw err;
    throw new OperantError("DependenciesMissing", `operant build bundles with esbuild, which is not installed where ${root} can use it. Add it to the project: npm install --save-dev esbuild (its install script is not needed: allowScripts may deny it).`, { cause: err });
  }
}

/** operant's lazily loaded modules (see the file comment): `requireModule("x")` in operant's own files becomes `require("x")`. */
const lazyRequires: Plugin = {
  name: "operant-lazy-requires",
  setup(build) {
    build.onLoad({ filter: /[\\/]operant[\\/](dist|src)[\\/].*\.(js|ts)$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes("requireModule(")) return undefined;
      return { contents: text.replace(/\brequireModule\((["'][^"']+["'])\)/g, "require($1)"), loader: args.path.endsWith(".ts") ? "ts" : "js" };
    });
  },
};

const BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** ES imports of Node's built-in modules served by `require` (see the file comment). */
const builtinsByRequire: Plugin = {
  name: "operant-builtins-by-require",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z0-9_/]+$/ }, (args) => {
      if (args.kind !== "import-statement" || args.namespace !== "file") return undefined;
      const name = args.path.replace(/^node:/, "");
      return BUILTINS.has(name) ? { path: `node:${name}`, namespace: "operant-builtin" } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: "operant-builtin" }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: "js" }));
  },
};

/** The undici modules operant's transport needs: what it imports from "undici", and the prototype methods `Dispatcher.request` comes from. */
const UNDICI_PARTS = { dispatcher: "lib/dispatcher/dispatcher.js", api: "lib/api/index.js", agent: "lib/dispatcher/agent.js", errors: "lib/core/errors.js", proxy: "lib/dispatcher/proxy-agent.js", socks5: "lib/dispatcher/socks5-proxy-agent.js" } as const;

/** `import … from "undici"` in operant's transport, served by undici's dispatchers alone (see the file comment). */
function leanUndici(): { plugin: Plugin; used: () => boolean } {
  let used = false;
  const plugin: Plugin = {
    name: "operant-lean-undici",
    setup(build) {
      build.onResolve({ filter: /^undici$/ }, async (args) => {
        if (!/[\\/]operant[\\/](dist|src)[\\/]client[\\/]transport[\\/]/.test(args.importer)) return undefined;
        const pkg = await build.resolve("undici/package.json", { kind: "require-call", resolveDir: args.resolveDir });
        if (pkg.errors.length) return undefined;
        const dir = pkg.path.slice(0, -"package.json".length);
        const present = await Promise.all(Object.values(UNDICI_PARTS).map((f) => stat(join(dir, f)).then(() => true, () => false)));
        if (present.includes(false)) return undefined;
        used = true;
        return { path: dir, namespace: "operant-lean-undici" };
      });
      build.onLoad({ filter: /.*/, namespace: "operant-lean-undici" }, (args) => {
        const at = (f: string) => JSON.stringify(join(args.path, f));
        const p = UNDICI_PARTS;
        return {
          resolveDir: args.path,
          loader: "js",
          contents: [
            `const Dispatcher = require(${at(p.dispatcher)});`,
            `Object.assign(Dispatcher.prototype, require(${at(p.api)}));`,
            `module.exports = {`,
            `  Agent: require(${at(p.agent)}),`,
            `  errors: require(${at(p.errors)}),`,
            `  get ProxyAgent() { return require(${at(p.proxy)}); },`,
            `  get Socks5ProxyAgent() { return require(${at(p.socks5)}); },`,
            `};`,
          ].join("\n"),
        };
      });
    },
  };
  return { plugin, used: () => used };
}

/**
 * The `build` command.
 *
 * @example
 * ```sh
 * operant build                 # dist/operator.mjs, what the Dockerfile runs
 * operant build --no-minify     # readable output
 * ```
 */
export function buildCommand(): Command {
  return new Command("build")
    .description("Bundle the operator (src/main.ts, operant and its dependencies) into one file, dist/operator.mjs, that runs without node_modules")
    .option("--entry <file>", "entry point, relative to the project", join("src", "main.ts"))
    .option("--outfile <file>", "the bundle, relative to the project", join("dist", "operator.mjs"))
    .option("--no-minify", "keep the output readable")
    .option("--no-sourcemap", "no .map file beside the bundle")
    .action(async (options: { entry: string; outfile: string; minify: boolean; sourcemap: boolean }) => {
      const project = await findProject();
      const built = await buildOperator(project.root, options);
      process.stderr.write(`  built ${relative(process.cwd(), built.outfile) || built.outfile} (${(built.bytes / 1024).toFixed(0)} KiB from ${built.inputs} files)\n`);
    });
}
