// Label selectors, as Kubernetes defines them: the string form
// (`app=web,tier!=db,env in (prod,stage),!legacy`) and the object form
// (`{ matchLabels, matchExpressions }`), compiled to a matcher.
import { OperantError } from "./errors.ts";

/**
 * The object form of a label selector (`spec.selector` of Deployments and others).
 *
 * @example
 * ```ts
 * const sel: LabelSelector = { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }] };
 * ctx.list(Pod, { namespace, labels: sel });
 * ```
 */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!exists";
  values: string[];
}

/** A compiled selector: a predicate over label maps. */
export type LabelMatcher = (labels: Readonly<Record<string, string>> | undefined) => boolean;

function compile(reqs: Requirement[]): LabelMatcher {
  if (reqs.length === 0) return () => true;
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) {
      const has = Object.hasOwn(l, r.key);
      const v = l[r.key];
      switch (r.op) {
        case "=":
        case "in":
          if (!has || !r.values.includes(v!)) return false;
          break;
        case "!=":
        case "notin":
          if (has && r.values.includes(v!)) return false;
          break;
        case "exists":
          if (!has) return false;
          break;
        case "!exists":
          if (has) return false;
          break;
      }
    }
    return true;
  };
}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

function parseRequirement(term: string, whole: string): Requirement {
  let m = /^!\s*([\w./-]+)$/.exec(term);
  if (m) return { key: m[1]!, op: "!exists", values: [] };
  m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] as "in" | "notin", values: m[3]!.split(",").map((v) => v.trim()).filter(Boolean) };
  m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
  if (m) return { key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] };
  m = /^([\w./-]+)$/.exec(term);
  if (m) return { key: m[1]!, op: "exists", values: [] };
  throw new OperantError("InvalidSelector", `cannot parse "${term}" in label selector "${whole}". Use forms like "app=web", "tier!=db", "env in (a,b)", "key", "!key".`);
}

/**
 * Compiles a label selector (string, equality map, or LabelSelector object)
 * to a predicate.
 *
 * @example
 * ```ts
 * const m = labelMatcher("app=web,env in (prod,stage),!legacy");
 * m({ app: "web", env: "prod" }) // true
 * labelMatcher({ matchLabels: { app: "web" } })({ app: "db" }) // false
 * ```
 */
export function labelMatcher(selector: string | Record<string, string> | LabelSelector | undefined): LabelMatcher {
  if (selector === undefined) return () => true;
  if (typeof selector === "string") return compile(splitTopLevel(selector).map((t) => parseRequirement(t, selector)));
  if ("matchLabels" in selector || "matchExpressions" in selector) {
    const s = selector as LabelSelector;
    const reqs: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, op: "=", values: [v] }));
    for (const e of s.matchExpressions ?? []) {
      const op = ({ In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!exists" } as const)[e.operator];
      if (!op) throw new OperantError("InvalidSelector", `unknown operator "${String(e.operator)}" for key "${e.key}": use In, NotIn, Exists or DoesNotExist.`);
      reqs.push({ key: e.key, op, values: e.values ?? [] });
    }
    return compile(reqs);
  }
  return compile(Object.entries(selector as Record<string, string>).map(([key, v]) => ({ key, op: "=" as const, values: [v] })));
}

/**
 * The string form of a LabelSelector object (for list/watch `labelSelector=`).
 *
 * @example
 * ```ts
 * selectorToString({ matchLabels: { app: "web" }, matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }] })
 * // "app=web,env in (a,b)"
 * ```
 */
export function selectorToString(selector: LabelSelector | Record<string, string>): string {
  if (!("matchLabels" in selector) && !("matchExpressions" in selector)) {
    return Object.entries(selector as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(",");
  }
  const s = selector as LabelSelector;
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
