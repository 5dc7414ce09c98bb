// Kubernetes' name rules, as apimachinery's validation checks them: DNS-1123
// labels and subdomains, DNS-1035 labels, qualified names (an optional
// DNS-subdomain prefix and '/', then a name), and metav1.Condition's type
// and reason. Every name check in operant uses these; the messages that say
// what a valid name looks like stay with each caller.

const LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** metav1.Condition's `type` pattern (apimachinery types.go), as the CRD schema declares it. */
export const CONDITION_TYPE_PATTERN = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$";
/** metav1.Condition's `reason` pattern (apimachinery types.go), as the CRD schema declares it. */
export const CONDITION_REASON_PATTERN = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$";

/**
 * A DNS-1123 label: lower-case letters, digits and '-', starting and ending
 * with a letter or digit, at most `max` characters (63; less where a name
 * gets suffixes, e.g. 52 for an operator's name).
 *
 * @example
 * ```ts
 * isDns1123Label("memcached-operator") // true
 * isDns1123Label("Memcached")          // false
 * ```
 */
export function isDns1123Label(name: string, max = 63): boolean {
  return name.length <= max && DNS1123_LABEL.test(name);
}

/**
 * A DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253
 * characters (what most object names must be).
 *
 * @example
 * ```ts
 * isDns1123Subdomain("cache.example.com") // true
 * ```
 */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/**
 * A DNS name whose every label is a DNS-1123 label of at most 63
 * characters, at most 253 in all (API groups, domains).
 *
 * @example
 * ```ts
 * isDnsName("cache.example.com") // true
 * ```
 */
export function isDnsName(name: string): boolean {
  return name.length <= 253 && name.split(".").every((l) => isDns1123Label(l));
}

/**
 * A DNS-1035 label: like a DNS-1123 label, but starting with a letter (at
 * most 63 characters). Resource plurals, singulars, short names.
 *
 * @example
 * ```ts
 * isDns1035Label("memcacheds") // true
 * isDns1035Label("3d")         // false
 * ```
 */
export function isDns1035Label(name: string): boolean {
  return name.length <= 63 && DNS1035_LABEL.test(name);
}

/**
 * A qualified name: an optional DNS-subdomain prefix (at most 253
 * characters) and '/', then at most 63 letters, digits, '-', '_' or '.',
 * starting and ending with a letter or digit. Finalizers, label keys, an
 * event's reporting controller.
 *
 * @example
 * ```ts
 * isQualifiedName("cache.example.com/cleanup") // true
 * isQualifiedName("cleanup")                   // true
 * ```
 */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  const prefix = slash < 0 ? undefined : value.slice(0, slash);
  const name = slash < 0 ? value : value.slice(slash + 1);
  return name.length <= 63 && QUALIFIED_NAME_PART.test(name) && (prefix === undefined || isDns1123Subdomain(prefix));
}
