// Which ConfigMaps and Secrets a Pod template reads: what decides whether a
// change of one of them should restart a Deployment.
import type { ReadonlyDeep } from "operant";
import type { Deployment } from "operant/kinds";

type PodTemplate = ReadonlyDeep<NonNullable<Deployment["spec"]>["template"]>;

/**
 * The names of the ConfigMaps and Secrets a Pod template uses.
 *
 * @example
 * ```ts
 * const refs: PodReferences = { configMaps: new Set(["app-config"]), secrets: new Set() };
 * ```
 */
export interface PodReferences {
  readonly configMaps: ReadonlySet<string>;
  readonly secrets: ReadonlySet<string>;
}

/**
 * The ConfigMaps and Secrets a Pod template uses, through any container or
 * init container (`env[].valueFrom.configMapKeyRef` / `secretKeyRef`,
 * `envFrom[].configMapRef` / `secretRef`) or volume (`configMap`, `secret`,
 * and the `configMap` / `secret` sources of a `projected` volume). Image pull
 * secrets do not count: they do not reach the running Pod.
 *
 * @example
 * ```ts
 * podReferences(deployment.spec?.template).configMaps.has("node-app-config") // true
 * ```
 */
export function podReferences(template: PodTemplate | undefined): PodReferences {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const add = (set: Set<string>, name: string | undefined) => {
    if (name) set.add(name);
  };
  const spec = template?.spec;
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
    for (const e of c.env ?? []) {
      add(configMaps, e.valueFrom?.configMapKeyRef?.name);
      add(secrets, e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add(configMaps, e.configMapRef?.name);
      add(secrets, e.secretRef?.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    add(configMaps, v.configMap?.name);
    add(secrets, v.secret?.secretName);
    for (const s of v.projected?.sources ?? []) {
      add(configMaps, s.configMap?.name);
      add(secrets, s.secret?.name);
    }
  }
  return { configMaps, secrets };
}
