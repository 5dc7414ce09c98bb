// A TypeDoc plugin for operant's rule that every public export carries an
// @example (STYLE: "JSDoc with an @example on every public export"): each
// function, class, interface, type alias, variable and enum an entry point
// exports without one is a warning, and the API reference build treats
// warnings as errors. Members (methods, properties) are not held to it.
//
// The exports that lacked one when the rule came are listed in
// api-examples-missing.txt: they pass until they get one, and then must be
// struck from the list (a listed export that has an example is a warning
// too), so the list only shrinks and no new export joins it.
import { readFileSync } from "node:fs";
import { Converter, ReflectionKind } from "typedoc";

const EXPORTS = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Variable | ReflectionKind.Enum;
const LIST = new URL("./api-examples-missing.txt", import.meta.url);

/** @param {import("typedoc").Application} app */
export function load(app) {
  const listed = new Set(
    readFileSync(LIST, "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#")),
  );
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const missing = new Set();
    const seen = new Set();
    for (const reflection of context.project.getReflectionsByKind(EXPORTS)) {
      if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) continue;
      const name = reflection.getFullName();
      seen.add(name);
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      if (!comments.some((c) => c?.getTag("@example"))) missing.add(name);
    }
    for (const name of [...missing].sort()) {
      if (!listed.has(name)) app.logger.warn(`${name} is exported without an @example in its doc comment (STYLE: every public export has one): add one`);
    }
    for (const name of [...listed].sort()) {
      if (!missing.has(name)) app.logger.warn(`${name} is listed in packages/operant/scripts/api-examples-missing.txt but ${seen.has(name) ? "has an @example now" : "is no longer exported"}: strike it from the list`);
    }
  });
}
