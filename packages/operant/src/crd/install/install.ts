// Installing CRDs: server-side apply of each generated manifest, then waiting
// until the API server serves them (Established) so the next call can use them.
import type { Client } from "../../client/client.ts";
import { OperantError } from "../../core/errors.ts";
import { sleep } from "../../core/time.ts";
import { CustomResourceDefinition } from "../../kinds/index.ts";
import { crdManifests, type CustomResourceDefinitionManifest } from "../manifest/manifest.ts";
import type { ResourceDefinition } from "../resource/resource.ts";

/**
 * Options for {@link installCrds}.
 *
 * @example
 * ```ts
 * await installCrds(client, [Memcached], { fieldManager: "my-operator", timeoutMs: 60_000 } satisfies InstallCrdsOptions);
 * ```
 */
export interface InstallCrdsOptions {
  /** Field manager of the apply (default `operant`). */
  fieldManager?: string;
  /** How long to wait for each CRD to be Established (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface CrdStatus {
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

/**
 * Applies the CRDs of the given definitions (server-side apply, forced) and
 * waits until each is Established and its names accepted. Fails with
 * `CrdNotEstablished` and the API server's reason if one is refused.
 *
 * @example
 * ```ts
 * await installCrds(client, [Memcached]);
 * await client.create(Memcached, { metadata: { name: "m", namespace: "default" }, spec: { size: 3 } });
 * ```
 */
export async function installCrds(client: Client, definitions: readonly ResourceDefinition[] | readonly CustomResourceDefinitionManifest[], options: InstallCrdsOptions = {}): Promise<CustomResourceDefinitionManifest[]> {
  const manifests = isManifests(definitions) ? [...definitions] : crdManifests(...definitions);
  for (const m of manifests) {
    await client.apply(CustomResourceDefinition, m, { fieldManager: options.fieldManager ?? "operant", force: true, ...(options.signal && { signal: options.signal }) });
  }
  for (const m of manifests) {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000);
    for (;;) {
      const crd = (await client.get(CustomResourceDefinition, { name: m.metadata.name }, { signal: options.signal })) as CrdStatus;
      const cond = (t: string) => crd.status?.conditions?.find((c) => c.type === t);
      if (cond("NamesAccepted")?.status === "False") {
        throw new OperantError("CrdNotEstablished", `CRD ${m.metadata.name}: names not accepted (${cond("NamesAccepted")?.reason}: ${cond("NamesAccepted")?.message}). Pick other plural/short names.`);
      }
      if (cond("Established")?.status === "True") break;
      if (Date.now() > deadline) throw new OperantError("CrdNotEstablished", `CRD ${m.metadata.name} was not Established within ${options.timeoutMs ?? 30_000} ms (${cond("Established")?.message ?? "no condition yet"}).`, { retryable: true });
      await sleep(100, options.signal);
    }
    client.discovery.invalidate(`${m.spec.group}/${m.spec.versions.find((v) => v.storage)?.name ?? ""}`);
  }
  client.discovery.invalidate();
  return manifests;
}

/**
 * Deletes the CRDs of the given definitions (and with them every object of
 * those kinds) and waits until they are gone. Missing CRDs are fine.
 *
 * @example
 * ```ts
 * await uninstallCrds(client, [Memcached]);
 * ```
 */
export async function uninstallCrds(client: Client, definitions: readonly ResourceDefinition[] | readonly CustomResourceDefinitionManifest[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const manifests = isManifests(definitions) ? [...definitions] : crdManifests(...definitions);
  for (const m of manifests) await client.delete(CustomResourceDefinition, { name: m.metadata.name }, { signal: options.signal }).catch((err: unknown) => {
    if (!(err instanceof OperantError && err.code === "NotFound")) throw err;
  });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const m of manifests) {
    while (await client.tryGet(CustomResourceDefinition, { name: m.metadata.name }, { signal: options.signal })) {
      if (Date.now() > deadline) throw new OperantError("Timeout", `CRD ${m.metadata.name} is still being deleted after ${options.timeoutMs ?? 60_000} ms (objects with finalizers hold it: is their controller running?).`, { retryable: true });
      await sleep(200, options.signal);
    }
  }
  client.discovery.invalidate();
}

function isManifests(x: readonly unknown[]): x is readonly CustomResourceDefinitionManifest[] {
  return x.length > 0 && (x[0] as { kind?: string }).kind === "CustomResourceDefinition";
}
