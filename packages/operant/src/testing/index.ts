/**
 * operant/testing: a real local Kubernetes control plane for test suites,
 * built from Go modules on first use.
 *
 * @example
 * ```ts
 * import { ControlPlane } from "operant/testing";
 * const cp = await ControlPlane.start({ profile: "full" });
 * try { ... } finally { await cp.stop(); }
 * ```
 * @module
 */
export { ControlPlane, DEFAULT_SERVICE_CLUSTER_IP_RANGE, SHARED_CONTROL_PLANE_ENV, describeBuildProgress, type ControlPlaneOptions, type ControlPlaneProfile, type ControlPlaneState } from "./control-plane/control-plane.ts";
export { locateBinaries, defaultCacheDir, type LocateOptions, type LocatedBinary } from "./assets/locate.ts";
export { checkGo, type BuildProgress } from "./assets/build.ts";
export { locateGoTool, defaultToolsDir, GO_TOOL_VERSIONS, type GoToolName, type GoToolOptions } from "./assets/go-tools.ts";
export { CONTROL_PLANE_VERSIONS, type BinaryName } from "./assets/versions.ts";
export { eventually, type EventuallyOptions } from "./eventually/eventually.ts";
export { CapturingLogger } from "../core/logger.ts";
export { FaultProxy } from "./fault-proxy/fault-proxy.ts";
export { OperatorProcess, type LogLine, type OperatorProcessOptions } from "./operator-process/operator-process.ts";
export { testCluster, type RunningTestOperator, type StartOperatorOptions, type TestCluster, type TestClusterOptions, type TestOperatorDefinition } from "./test-cluster/test-cluster.ts";
