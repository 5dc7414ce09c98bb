// What each control-plane component says about itself, as envtest's components
// do: its flags, how it is started, and what "ready" means for it. The control
// plane only orders them (etcd, then the API server, then the rest together).
import { join } from "node:path";
import type { BinaryName } from "../../assets/versions.ts";
import type { AdminApi } from "../admin-api.ts";
import { startComponent, type ComponentRecord } from "../component.ts";
import type { Paths, Ports } from "../layout.ts";

/** Everything a component needs to know to build its flags. */
export interface ComponentContext {
  paths: Paths;
  ports: Ports;
  /** The API server's URL. */
  server: string;
  profile: "minimal" | "full";
  /** The Service IP range (`--service-cluster-ip-range`). */
  serviceClusterIpRange: string;
  /** Extra kube-apiserver flags from the options. */
  apiServerFlags: readonly string[];
  /** Fake Nodes kwok runs (`full`). */
  nodes: number;
}

/** One readiness condition of a component, with the words used when it is not met in time. */
export interface ReadinessCheck {
  check: (api: AdminApi) => Promise<boolean>;
  /** Completes "… in time", e.g. "etcd did not report healthy on /health". */
  what: string;
}

/** A control-plane component: its binary, flags, environment and readiness. */
export interface ComponentDefinition {
  name: BinaryName;
  args: (ctx: ComponentContext) => string[];
  env?: (ctx: ComponentContext) => NodeJS.ProcessEnv;
  /** Files the component reads, written before it starts. */
  prepare?: (ctx: ComponentContext) => Promise<void>;
  /** API objects the component needs, created once the API server is ready and the component started (kwok's Nodes). */
  seed?: (ctx: ComponentContext, api: AdminApi) => Promise<void>;
  readiness: (ctx: ComponentContext) => ReadinessCheck[];
}

/** A started component: its record plus a promise of its exit code. */
export type RunningComponent = ComponentRecord & { exited: Promise<number | null> };

/**
 * Starts a component in its own process group, its output appended to `logs/<name>.log`.
 *
 * @example
 * ```ts
 * const running = await launch(etcd, ctx, binaries.get("etcd")!);
 * ```
 */
export async function launch(def: ComponentDefinition, ctx: ComponentContext, binary: string): Promise<RunningComponent> {
  await def.prepare?.(ctx);
  return startComponent(def.name, binary, def.args(ctx), { logPath: join(ctx.paths.logs, `${def.name}.log`), ...(def.env && { env: def.env(ctx) }) });
}
