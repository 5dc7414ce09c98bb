// A per-namespace quota on Memcached sizes, read from a ConfigMap: a rule CEL
// cannot express (it needs other objects: the ConfigMap and every other
// Memcached of the namespace), so it lives in admission webhooks.
//
// ConfigMap `memcached-quota` in a namespace, both keys optional:
//   data.defaultSize   — the size a Memcached created without spec.size gets (defaulting webhook)
//   data.maxTotalSize  — the most memcached Pods all Memcacheds of the namespace may ask for together (validating webhook)
// No ConfigMap: size defaults to 1 and nothing is limited.
import { Admission, defineMutatingWebhook, defineValidatingWebhook, type AdmissionWebhook } from "operant/webhook";
import { ConfigMap } from "operant/kinds";
import { isOperantError, type Client, type PolicyRule } from "operant";
import { Memcached } from "../api/memcached.ts";

/** The ConfigMap holding a namespace's quota. */
export const QUOTA_CONFIGMAP = "memcached-quota";

/**
 * What the webhooks read beyond the controller's own rules: the quota
 * ConfigMap (`get`; the Memcacheds they list the controller may list already).
 *
 * @example
 * ```ts
 * defineOperator({ …, webhooks: quotaWebhooks(client), extraRules: QUOTA_RULES });
 * ```
 */
export const QUOTA_RULES: readonly PolicyRule[] = [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }];

/** A namespace's quota as read from its ConfigMap (absent keys: undefined). */
export interface Quota {
  defaultSize: number | undefined;
  maxTotalSize: number | undefined;
}

function wholeNumber(value: string | undefined, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`ConfigMap ${QUOTA_CONFIGMAP} has ${key}="${value}": use a whole number ≥ 0`);
  return n;
}

/** Reads the quota of `namespace` (none: both undefined). */
export async function readQuota(client: Client, namespace: string, signal?: AbortSignal): Promise<Quota> {
  try {
    const cm = await client.get(ConfigMap, { namespace, name: QUOTA_CONFIGMAP }, { signal });
    return { defaultSize: wholeNumber(cm.data?.defaultSize, "defaultSize"), maxTotalSize: wholeNumber(cm.data?.maxTotalSize, "maxTotalSize") };
  } catch (err) {
    if (isOperantError(err, "NotFound")) return { defaultSize: undefined, maxTotalSize: undefined };
    throw err;
  }
}

/**
 * The memcached webhooks: defaulting (`spec.size` from the quota's
 * `defaultSize`, else 1) and validating (the namespace's Memcacheds together
 * ask for at most `maxTotalSize` Pods). `client` gives the client that reads
 * the ConfigMap and the other Memcacheds (the operator's own).
 *
 * @example
 * ```ts
 * const client = Promise.withResolvers<Client>(); // resolved with the manager's client in runOperator's onStart (src/operator.ts)
 * defineOperator({ name: "memcached-operator", resources: [Memcached], controllers: [memcachedController], webhooks: quotaWebhooks(() => client.promise), extraRules: QUOTA_RULES });
 * ```
 */
export function quotaWebhooks(client: () => Promise<Client>, settings: { namespaceSelector?: { matchLabels: Record<string, string> } } = {}): AdmissionWebhook[] {
  const defaulting = defineMutatingWebhook({
    kind: Memcached,
    ...settings,
    operations: ["CREATE"],
    mutate: async (req) => {
      const spec = req.object!.spec as { size?: number };
      if (spec.size !== undefined) return Admission.allow();
      const quota = await readQuota(await client(), req.namespace!, req.signal);
      spec.size = quota.defaultSize ?? 1;
      return Admission.allow();
    },
  });
  const validating = defineValidatingWebhook({
    kind: Memcached,
    ...settings,
    validate: async (req) => {
      const ns = req.namespace!;
      const c = await client();
      const quota = await readQuota(c, ns, req.signal);
      if (quota.maxTotalSize === undefined) return Admission.allow();
      const size = req.object!.spec.size;
      const others = (await c.list(Memcached, { namespace: ns, signal: req.signal })).items.filter((m) => m.metadata.name !== req.name);
      const used = others.reduce((sum, m) => sum + m.spec.size, 0);
      if (used + size <= quota.maxTotalSize) return Admission.allow();
      return Admission.deny(
        `spec.size ${size} would take the Memcacheds of namespace ${ns} to ${used + size} Pods, over the quota of ${quota.maxTotalSize} (ConfigMap ${QUOTA_CONFIGMAP}, data.maxTotalSize; ${used} already asked for by ${others.length} other${others.length === 1 ? "" : "s"}): lower spec.size or raise the quota.`,
      );
    },
  });
  return [defaulting, validating];
}
