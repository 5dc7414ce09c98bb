// Storage size changes "where allowed". A StatefulSet's volume claim
// templates are immutable, so the operator resizes the claims themselves:
// growing is allowed when the claim's StorageClass says allowVolumeExpansion
// (the API server refuses the patch otherwise), shrinking never is (the API
// server refuses a request below the claim's capacity). The StatefulSet keeps
// its original template, so a claim made later for a new Pod starts at the
// old size and is grown the same way.
import { compareQuantities, isOperantError, type Cached, type ReconcileContext } from "operant";
import { PersistentVolumeClaim, StorageClass } from "operant/kinds";
import type { Postgresql } from "../../api/postgresql.ts";
import { namesOf, ordinalOf } from "./objects.ts";

/** The StorageResizePending condition to report. */
export interface StorageResult {
  pending: boolean;
  reason: "Resized" | "Resizing" | "ShrinkNotSupported" | "ExpansionNotAllowed";
  message: string;
}

/** Grows the cluster's claims to spec.storage.size where the StorageClass allows it; reports what cannot be done. */
export async function reconcileStorage(pg: Cached<Postgresql>, ctx: ReconcileContext<Postgresql>): Promise<StorageResult> {
  const name = pg.metadata.name;
  const namespace = pg.metadata.namespace!;
  const wanted = pg.spec.storage.size;
  const claims = ctx
    .list(PersistentVolumeClaim, { namespace })
    .filter((c) => c.metadata?.name?.startsWith("data-") && ordinalOf(c.metadata.name.slice("data-".length), namesOf(name).statefulSet) !== undefined);
  const expandable = new Map<string, boolean>();
  const canExpand = async (className: string | undefined): Promise<boolean> => {
    if (!className) return false;
    if (!expandable.has(className)) {
      try {
        const sc = await ctx.client.get(StorageClass, { name: className }, { signal: ctx.signal });
        expandable.set(className, sc.allowVolumeExpansion === true);
      } catch (err) {
        if (!isOperantError(err, "NotFound")) throw err;
        expandable.set(className, false);
      }
    }
    return expandable.get(className)!;
  };

  const shrink: string[] = [];
  const blocked: string[] = [];
  const resizing: string[] = [];
  for (const claim of claims) {
    const claimName = claim.metadata.name;
    const requested = claim.spec?.resources?.requests?.storage;
    if (requested === undefined) continue;
    const cmp = compareQuantities(wanted, requested);
    if (cmp < 0) shrink.push(`${claimName} (${requested})`);
    else if (cmp > 0) {
      if (await canExpand(claim.spec?.storageClassName)) {
        await ctx.patch(PersistentVolumeClaim, { namespace, name: claimName }, { spec: { resources: { requests: { storage: wanted } } } });
        ctx.event("Normal", "VolumeExpanding", `asked for ${claimName} to grow from ${requested} to ${wanted}`);
        resizing.push(`${claimName} (${claim.status?.capacity?.storage ?? "?"} of ${wanted})`);
      } else blocked.push(`${claimName} (StorageClass ${claim.spec?.storageClassName ?? "none"})`);
    } else {
      const capacity = claim.status?.capacity?.storage;
      if (capacity !== undefined && compareQuantities(capacity, requested) < 0) resizing.push(`${claimName} (${capacity} of ${requested})`);
    }
  }
  if (shrink.length > 0) {
    return { pending: true, reason: "ShrinkNotSupported", message: `storage.size ${wanted} is smaller than ${shrink.join(", ")}: volumes cannot shrink; set storage.size back to at least their size (to shrink, make a new cluster and move the data)` };
  }
  if (blocked.length > 0) {
    return { pending: true, reason: "ExpansionNotAllowed", message: `cannot grow ${blocked.join(", ")} to ${wanted}: the StorageClass does not allow volume expansion (allowVolumeExpansion is not true); use a class that does, or set storage.size back` };
  }
  if (resizing.length > 0) return { pending: true, reason: "Resizing", message: `waiting for the storage provider to grow ${resizing.join(", ")}` };
  return { pending: false, reason: "Resized", message: `every volume has ${wanted}` };
}
