// The control plane most benchmarks run against: minimal (etcd and the API
// server), with room for 1,000 requests in flight (500 mutating), so that the
// load a benchmark makes, not the API server's default limits, decides.
import { ControlPlane } from "../../packages/operant/src/testing/index.ts";

/** Starts the benchmarks' minimal control plane. */
export function benchControlPlane(): Promise<ControlPlane> {
  return ControlPlane.start({ profile: "minimal", apiServerFlags: ["--max-requests-inflight=1000", "--max-mutating-requests-inflight=500"] });
}
