/**
 * operant/events: an events.k8s.io/v1 recorder that aggregates repeats.
 *
 * @example
 * ```ts
 * import { EventRecorder } from "operant/events";
 * const recorder = new EventRecorder(client, { reportingController: "example.com/my-operator", reportingInstance: "pod-1" });
 * recorder.event(obj, { type: "Normal", reason: "Scaled", action: "Scale", note: "3 → 4 replicas" });
 * ```
 * @module
 */
export { microTime } from "../../core/micro-time.ts";
export { EventRecorder, truncateBytes, type EventInput, type EventObjectReference, type EventRecorderOptions, type EventRecorderStats } from "./recorder.ts";
