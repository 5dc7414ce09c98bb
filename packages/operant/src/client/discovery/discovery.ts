// Discovery: which kinds the API server serves, under which REST resource,
// with which scope. Cached per group-version; refreshed when a kind is not
// found (a CRD may have been installed since).
import { OperantError } from "../../core/errors.ts";
import { defineKind, parseApiVersion, type Kind } from "../../core/kind.ts";
import { isOperantError } from "../../core/errors.ts";
import type { Transport } from "../transport/transport.ts";

/**
 * One entry of an APIResourceList.
 *
 * @example
 * ```ts
 * const pods: ApiResource = { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ["get", "list", "watch"], shortNames: ["po"] };
 * ```
 */
export interface ApiResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

interface Entry {
  fetchedAt: number;
  resources: ApiResource[] | undefined; // undefined: the group-version is not served
}

/**
 * Maps apiVersion + kind to REST resources through the API server's
 * discovery endpoints, with a cache.
 *
 * @example
 * ```ts
 * const deployment = await client.discovery.kindFor("apps/v1", "Deployment");
 * deployment.plural // "deployments"
 * ```
 */
export class Discovery {
  readonly #transport: Transport;
  readonly #cache = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<Entry>>();
  /** A group-version is fetched again on a miss at most this often. */
  readonly refreshAfterMs: number;

  constructor(transport: Transport, options: { refreshAfterMs?: number } = {}) {
    this.#transport = transport;
    this.refreshAfterMs = options.refreshAfterMs ?? 1000;
  }

  async #fetch(apiVersion: string): Promise<Entry> {
    const running = this.#inflight.get(apiVersion);
    if (running) return running;
    const p = (async () => {
      const { group, version } = parseApiVersion(apiVersion);
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      let resources: ApiResource[] | undefined;
      try {
        const res = await this.#transport.request<{ resources: ApiResource[] }>({ method: "GET", path });
        resources = res.body.resources.filter((r) => !r.name.includes("/")); // subresources are not kinds
      } catch (err) {
        if (!isOperantError(err, "NotFound")) throw err;
        resources = undefined;
      }
      const entry = { fetchedAt: Date.now(), resources };
      this.#cache.set(apiVersion, entry);
      return entry;
    })();
    this.#inflight.set(apiVersion, p);
    try {
      return await p;
    } finally {
      this.#inflight.delete(apiVersion);
    }
  }

  /** The resources served under `apiVersion` (cached), or undefined if the group-version is not served. */
  async resources(apiVersion: string, options: { refresh?: boolean } = {}): Promise<ApiResource[] | undefined> {
    const cached = this.#cache.get(apiVersion);
    if (cached && !options.refresh) return cached.resources;
    return (await this.#fetch(apiVersion)).resources;
  }

  /**
   * The {@link Kind} for an apiVersion and kind. Throws `UnknownKind` when the
   * server does not serve it (after refreshing the cache once), saying whether
   * the group-version exists at all (is the CRD installed?).
   */
  async kindFor(apiVersion: string, kind: string): Promise<Kind> {
    const find = (e: Entry | undefined) => e?.resources?.find((r) => r.kind === kind);
    let entry = this.#cache.get(apiVersion);
    let found = find(entry);
    if (!found && (!entry || Date.now() - entry.fetchedAt >= this.refreshAfterMs)) {
      entry = await this.#fetch(apiVersion);
      found = find(entry);
    }
    if (!found) {
      const served = entry?.resources;
      const why = served
        ? `${apiVersion} is served but has no kind ${kind} (it has: ${served.map((r) => r.kind).join(", ") || "none"})`
        : `the API server does not serve ${apiVersion}`;
      throw new OperantError("UnknownKind", `${why}. If ${kind} is a custom resource, install its CRD first (\`operant install\` or kubectl apply the CRD).`);
    }
    const { group, version } = parseApiVersion(apiVersion);
    return defineKind({ group, version, kind, plural: found.name, namespaced: found.namespaced });
  }

  /** Forgets cached discovery for one group-version, or all. */
  invalidate(apiVersion?: string): void {
    if (apiVersion) this.#cache.delete(apiVersion);
    else this.#cache.clear();
  }

  /** The server's `/version`. */
  async serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return (await this.#transport.request<{ major: string; minor: string; gitVersion: string }>({ method: "GET", path: "/version" })).body;
  }
}
