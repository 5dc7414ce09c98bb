// A TypeDoc plugin for operant's rule that every public export carries an
// @example (STYLE: "JSDoc with an @example on every public export"): each
// function, class, interface, type alias, variable and enum an entry point
// exports without one is a warning, and the API reference build treats
// warnings as errors. Members (methods, properties) are not held to it.
import { Converter, ReflectionKind } from "typedoc";

const EXPORTS = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Interface | ReflectionKind.TypeAlias | ReflectionKind.Variable | ReflectionKind.Enum;

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const missing = new Set();
    for (const reflection of context.project.getReflectionsByKind(EXPORTS)) {
      if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) continue;
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      if (!comments.some((c) => c?.getTag("@example"))) missing.add(reflection.getFullName());
    }
    for (const name of [...missing].sort()) app.logger.warn(`${name} is exported without an @example in its doc comment (STYLE: every public export has one): add one`);
  });
}
