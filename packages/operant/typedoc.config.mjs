// The API reference: TypeDoc over the entry points of package.json's
// `exports` (their TypeScript sources), into docs/api/ (not committed; built
// by `npm test`, and by `npm run docs`). A public export without a doc
// comment fails the build: every exported function, class, interface, type,
// variable and enum, and every method and accessor of the exported classes
// and interfaces. (Properties of options interfaces are left to judgement:
// many are self-explanatory, such as `ObjectMeta.name`.)
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const entryPoints = Object.values(pkg.exports)
  .map((e) => (typeof e === "object" ? e["operant-source"] : undefined))
  .filter((p) => typeof p === "string");

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "operant",
  plugin: ["./scripts/typedoc-require-example.mjs"],
  entryPoints,
  tsconfig: "./tsconfig.build.json",
  out: "../../docs/api",
  readme: "none",
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  // `tsc -p tsconfig.json` type-checks the same sources earlier in `npm test`: TypeDoc only reads them (about half its time).
  skipErrorChecking: true,
  // No links to a source host: a clone's remote (or none, as in CI's fresh clone) must not decide whether the build passes.
  disableSources: true,
  treatWarningsAsErrors: true,
  requiredToBeDocumented: ["Class", "Interface", "TypeAlias", "Function", "Variable", "Enum", "Method", "Accessor"],
  validation: { notExported: false, invalidLink: true, notDocumented: true, rewrittenLink: true, unusedMergeModuleWith: true },
};
