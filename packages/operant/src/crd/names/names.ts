// The names of a custom resource, checked the way the API server checks them
// (apiextensions validation), but at definition time with messages that say
// what would be valid; the default plural (English rules close to the ones
// kubebuilder applies); and the order Kubernetes gives versions.
import { OperantError } from "../../core/errors.ts";
import { isDns1035Label, isDns1123Label } from "../../core/names.ts";

const KUBE_VERSION = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;
const UPPER_CAMEL = /^[A-Z][A-Za-z0-9]*$/;

function invalid(what: string, value: string, problem: string, valid: string): OperantError {
  return new OperantError("InvalidName", `${what} ${JSON.stringify(value)} ${problem}; ${valid}`);
}

/**
 * Checks an API group for a custom resource: a DNS subdomain (lower case,
 * at most 253 characters) with at least one dot, outside the groups Kubernetes
 * reserves (`k8s.io`, `kubernetes.io` and their subdomains) unless the
 * resource carries an `api-approved.kubernetes.io` approval.
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkGroup("cache.example.com"); // ok
 * checkGroup("example");           // throws InvalidName: needs a dot
 * ```
 */
export function checkGroup(group: string, options: { approved?: boolean } = {}): void {
  const valid = 'use a domain you own, in lower case, such as "cache.example.com"';
  if (group.length === 0) throw invalid("group", group, "is empty", valid);
  if (group.length > 253) throw invalid("group", group, "is longer than 253 characters", valid);
  if (!group.split(".").every((l) => isDns1123Label(l))) {
    throw invalid("group", group, "is not a DNS subdomain (dot-separated labels of a-z, 0-9 and '-', starting and ending with a letter or digit)", valid);
  }
  if (!group.includes(".")) throw invalid("group", group, "has no dot (the API server requires a domain name)", valid);
  if (isProtectedGroup(group) && !options.approved) {
    throw invalid(
      "group",
      group,
      "is reserved for Kubernetes APIs (k8s.io, kubernetes.io)",
      `${valid}, or set apiApproved to the URL of the approving Kubernetes API review (the api-approved.kubernetes.io annotation)`,
    );
  }
}

/**
 * Whether `group` is one Kubernetes reserves: `k8s.io`, `kubernetes.io`, or a subdomain of either.
 *
 * @example
 * ```ts
 * isProtectedGroup("gateway.networking.k8s.io") // true
 * ```
 */
export function isProtectedGroup(group: string): boolean {
  return group === "k8s.io" || group === "kubernetes.io" || group.endsWith(".k8s.io") || group.endsWith(".kubernetes.io");
}

/**
 * Checks a version name: `v` + major, optionally followed by `alpha` or `beta` and a number (`v1`, `v1alpha1`, `v2beta3`).
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkVersion("v1beta1"); // ok
 * checkVersion("1.0");     // throws InvalidName
 * ```
 */
export function checkVersion(version: string): void {
  if (!KUBE_VERSION.test(version)) {
    throw invalid("version", version, "is not a Kubernetes API version", 'use "v" + a number, optionally followed by "alpha" or "beta" and a number: v1, v1alpha1, v2beta3');
  }
}

/**
 * Checks a kind: UpperCamelCase letters and digits, at most 63 characters.
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkKind("Memcached"); // ok
 * checkKind("memcached"); // throws InvalidName
 * ```
 */
export function checkKind(kind: string): void {
  const valid = 'use UpperCamelCase letters and digits, such as "Memcached" or "BackupPolicy"';
  if (!UPPER_CAMEL.test(kind)) throw invalid("kind", kind, "is not UpperCamelCase", valid);
  if (kind.length > 63) throw invalid("kind", kind, "is longer than 63 characters", valid);
}

/**
 * Checks a lower-case resource name (plural, singular, short name or
 * category): a DNS-1035 label, i.e. a-z, 0-9 and '-', starting with a letter,
 * at most 63 characters.
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkResourceName("plural", "memcacheds"); // ok
 * checkResourceName("shortName", "1mc");     // throws InvalidName
 * ```
 */
export function checkResourceName(what: string, name: string): void {
  if (!isDns1035Label(name)) {
    const fixed = name.toLowerCase().replace(/[^-a-z0-9]/g, "").replace(/^[^a-z]+/, "").replace(/-+$/, "");
    throw invalid(
      what,
      name,
      "is not a DNS-1035 label",
      `use lower-case a-z, 0-9 and '-', starting with a letter and ending with a letter or digit, at most 63 characters${fixed && fixed !== name ? ` (such as "${fixed.slice(0, 63)}")` : ""}`,
    );
  }
}

// Irregular nouns likely to be kinds, and the words whose plural is the word itself.
const IRREGULAR: Readonly<Record<string, string>> = {
  person: "people", child: "children", man: "men", woman: "women", mouse: "mice", goose: "geese", foot: "feet", tooth: "teeth", ox: "oxen",
  index: "indices", matrix: "matrices", vertex: "vertices", appendix: "appendices", datum: "data", criterion: "criteria", quiz: "quizzes",
  bus: "buses", alias: "aliases", status: "statuses", axis: "axes", leaf: "leaves", wife: "wives", knife: "knives", life: "lives", half: "halves", wolf: "wolves", shelf: "shelves", thief: "thieves",
  photo: "photos", piano: "pianos", halo: "halos", hero: "heroes", potato: "potatoes", tomato: "tomatoes", echo: "echoes", veto: "vetoes",
  series: "series", species: "species", sheep: "sheep", fish: "fish", deer: "deer", news: "news", equipment: "equipment", information: "information", metadata: "metadata",
};

/**
 * The default plural of a kind: lower-cased, then English rules close to
 * kubebuilder's: irregular nouns (person → people, index → indices),
 * -sis → -ses, consonant + y → -ies, -x/-ch/-sh/-ss/-z → -es, -atus → -atuses,
 * a word already ending in `s` stays as it is, otherwise + s. Pass `plural` to
 * `defineResource` when the rule gets a word wrong.
 *
 * @example
 * ```ts
 * pluralize("Memcached") // "memcacheds"
 * pluralize("Policy")    // "policies"
 * pluralize("Ingress")   // "ingresses"
 * ```
 */
export function pluralize(kind: string): string {
  const w = kind.toLowerCase();
  for (const [single, plural] of Object.entries(IRREGULAR)) {
    // Compound kinds end with the irregular word: "BackupStatus", "ClusterIndex".
    if (w === single || (w.endsWith(single) && single.length >= 5)) return w.slice(0, w.length - single.length) + plural;
  }
  if (w.endsWith("sis")) return `${w.slice(0, -3)}ses`;
  if (/[^aeiou]y$/.test(w) || w.endsWith("quy")) return `${w.slice(0, -1)}ies`;
  if (/(x|ch|sh|ss|z)$/.test(w)) return `${w}es`;
  if (w.endsWith("s")) return w;
  return `${w}s`;
}

/**
 * Kubernetes' version priority (the order `kubectl` and discovery prefer):
 * GA before beta before alpha, higher numbers first. Negative when `a` comes
 * first. Versions that are not Kubernetes-like sort last, alphabetically.
 *
 * @example
 * ```ts
 * ["v1alpha1", "v2", "v1", "v1beta2"].sort(compareVersions) // ["v2", "v1", "v1beta2", "v1alpha1"]
 * ```
 */
export function compareVersions(a: string, b: string): number {
  const pa = KUBE_VERSION.exec(a);
  const pb = KUBE_VERSION.exec(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a.localeCompare(b);
  const stability = (m: RegExpExecArray) => (m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0);
  return stability(pb) - stability(pa) || Number(pb[1]) - Number(pa[1]) || Number(pb[3] ?? 0) - Number(pa[3] ?? 0);
}
