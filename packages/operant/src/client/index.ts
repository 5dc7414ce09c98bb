/**
 * operant/client: the Kubernetes API client and what it is built from.
 *
 * @example
 * ```ts
 * import { Client, loadClusterConfig } from "operant/client";
 * const client = Client.fromConfig(await loadClusterConfig({ context: "kind-dev" }), { qps: 50, burst: 100 });
 * ```
 * @module
 */
export {
  Client,
  checkPathSegment,
  resourcePath,
  selectorString,
  type ApplyOptions,
  type CallOptions,
  type ClientOptions,
  type DeleteOptions,
  type ListOptions,
  type ObjectList,
  type PartialObjectMetadata,
  type PatchOptions,
  type WatchEvent,
  type WatchOptions,
  type WriteOptions,
} from "./client.ts";
export { ApiError, type ApiErrorCode, type Status, type StatusCause } from "./transport/api-error.ts";
export { Transport, type ApiRequest, type ApiResponse, type TransportOptions } from "./transport/transport.ts";
export { DEFAULT_MAX_LINE_BYTES, jsonLines, type JsonLinesOptions } from "./transport/json-lines.ts";
export { Discovery, type ApiResource } from "./discovery/discovery.ts";
export * from "./config/index.ts";
export * from "./mutate/index.ts";
