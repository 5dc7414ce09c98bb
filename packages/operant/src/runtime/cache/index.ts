/**
 * operant/cache: watchers, informers and the shared cache — usable on their
 * own, without controllers.
 *
 * @example
 * ```ts
 * import { Informer } from "operant/cache";
 * const pods = new Informer(client, Pod, { namespaces: ["default"] });
 * pods.start(signal);
 * await pods.waitForSync(signal);
 * ```
 * @module
 */
export { watcher, compareResourceVersions, type WatchClient, type Watcher, type WatcherEvent, type WatcherOptions, type WatchHealth } from "../watcher/watcher.ts";
export { Informer, stripServerNoise, type InformerHandler, type InformerHealth, type InformerOptions, type RejectedObject, type Transform } from "./informer.ts";
export { Cache, type CacheOptions, type InformerLease, type InformerRequest } from "./cache.ts";
export { MemoryStore, BUILTIN_INDEXES, type IndexFn, type MemoryStoreOptions, type Store, type StoreListOptions } from "./store.ts";
export { deepFreeze, metaOf, type Cached, type ReadonlyDeep } from "../../core/object.ts";
