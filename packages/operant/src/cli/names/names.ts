// Names the CLI takes from people — project names, domains, API groups,
// versions, kinds — checked before anything is written, with messages that
// say what a valid one looks like; and the file and variable names derived
// from a kind.
import { OperantError } from "../../core/errors.ts";
import { isDns1123Label, isDnsName } from "../../core/names.ts";
import { checkGroup, checkKind, checkVersion } from "../../crd/names/names.ts";

function suggestLabel(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .replace(/-{2,}/g, "-");
}

/**
 * Checks a project (operator) name: a DNS-1123 label of at most 52
 * characters, since it names the Deployment, ServiceAccount and RBAC objects.
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkProjectName("memcached-operator"); // ok
 * checkProjectName("Memcached_Operator"); // throws, suggesting "memcached-operator"
 * ```
 */
export function checkProjectName(name: string): void {
  if (isDns1123Label(name, 52)) return;
  const s = suggestLabel(name).slice(0, 52).replace(/-+$/, "");
  throw new OperantError(
    "InvalidName",
    `project name "${name}" is not valid: it names Kubernetes objects, so use at most 52 lower-case letters, digits and '-', starting and ending with a letter or digit${s && s !== name ? ` (e.g. "${s}")` : ""}. Pass --name, or rename the directory.`,
  );
}

/**
 * Checks a domain: a lower-case DNS name with at least one dot (API groups
 * are `<group>.<domain>`).
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkDomain("example.com"); // ok
 * checkDomain("example");     // throws: no dot
 * ```
 */
export function checkDomain(domain: string): void {
  const labels = domain.split(".");
  if (domain.length > 0 && isDnsName(domain) && labels.length >= 2) return;
  const why = !domain.includes(".") ? "has no dot" : "is not a lower-case DNS name (dot-separated labels of a-z, 0-9 and '-')";
  throw new OperantError("InvalidName", `domain "${domain}" ${why}: API groups are <group>.<domain>, so use a domain you own, such as example.com or my-team.example.org.`);
}

/**
 * The full API group for `--group`: `<group>.<domain>` for a short group
 * (`cache` + `example.com`), or the group itself when it already has a dot.
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * fullGroup("cache", "example.com")              // "cache.example.com"
 * fullGroup("cache.example.org", "example.com")  // "cache.example.org"
 * ```
 */
export function fullGroup(group: string, domain: string | undefined): string {
  if (group.includes(".")) {
    checkGroup(group);
    return group;
  }
  if (!isDns1123Label(group)) {
    throw new OperantError("InvalidName", `group "${group}" is not valid: use lower-case letters, digits and '-' (e.g. "cache"); the API group becomes <group>.<domain>.`);
  }
  if (!domain) {
    throw new OperantError("InvalidName", `group "${group}" has no dot and the project has no domain (package.json "operant": { "domain": … }): pass a full group such as --group ${group}.example.com, or set the domain.`);
  }
  const full = `${group}.${domain}`;
  checkGroup(full);
  return full;
}

/**
 * Checks a kind (UpperCamelCase) and a version (`v1`, `v1alpha1`, `v2beta3`).
 *
 * @throws OperantError `InvalidName`
 * @example
 * ```ts
 * checkKindAndVersion("Memcached", "v1alpha1"); // ok
 * ```
 */
export function checkKindAndVersion(kind: string, version: string): void {
  checkKind(kind);
  checkVersion(version);
}

/**
 * The file name (without `.ts`) of a kind's resource and controller: kebab-case.
 *
 * @example
 * ```ts
 * kindFileName("BackupPolicy") // "backup-policy"
 * kindFileName("DNSRecord")    // "dns-record"
 * ```
 */
export function kindFileName(kind: string): string {
  return kind
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/**
 * The variable name of a kind's controller: lowerCamelCase + `Controller`.
 *
 * @example
 * ```ts
 * controllerName("Memcached") // "memcachedController"
 * controllerName("DNSRecord") // "dnsRecordController"
 * ```
 */
export function controllerName(kind: string): string {
  const parts = kindFileName(kind).split("-");
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("") + "Controller";
}
