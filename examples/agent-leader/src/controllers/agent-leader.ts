// Choosing the agent leader among an Agent's Pods: no I/O, so it is unit
// tested on its own. Stability first: the agent leader stays as long as its
// Pod is there and Ready, whichever operator replica leads; a Ready Pod that
// already carries the leader label is adopted (an operator stopped between
// labelling a Pod and recording it in the status); only otherwise is a new
// one elected: the oldest Ready Pod, ties broken by name.
import type { Cached } from "operant";
import type { Pod } from "operant/kinds";
import { LEADER_SINCE_ANNOTATION } from "../api/agent.ts";

/**
 * The agent leader as `status.leader` records it.
 *
 * @example
 * ```ts
 * const record: LeaderRecord = { pod: "agent-x2x7q", uid: "0b4c…", node: "kwok-node-1", since: "2025-01-01T00:00:00.000Z" };
 * ```
 */
export interface LeaderRecord {
  pod: string;
  uid: string;
  node: string;
  since: string;
}

/**
 * What {@link chooseAgentLeader} decided.
 *
 * @example
 * ```ts
 * const { leader, record, how } = chooseAgentLeader(pods, agent.status?.leader, LEADER_LABEL, new Date());
 * if (how === "elected") ctx.event("Normal", "LeaderElected", `${record!.pod} on ${record!.node}`);
 * ```
 */
export interface LeaderChoice {
  /** The agent leader's Pod (undefined when no Pod is Ready). */
  leader: Cached<Pod> | undefined;
  /** What to record in `status.leader`. */
  record: LeaderRecord | undefined;
  /** `kept`: the recorded leader is still Ready; `adopted`: a Ready Pod already carried the label; `elected`: a new leader; `none`: no Ready Pod. */
  how: "kept" | "adopted" | "elected" | "none";
  /** The Ready Pods (the candidates), oldest first. */
  candidates: Cached<Pod>[];
}

/**
 * Whether a Pod can be the agent leader: not being deleted, Running, and
 * its Ready condition True.
 *
 * @example
 * ```ts
 * const ready = pods.filter(isReadyAgent).length;
 * ```
 */
export function isReadyAgent(pod: Cached<Pod>): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  if (pod.status?.phase !== "Running") return false;
  return (pod.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Oldest first (creationTimestamp has second precision), then by name. */
function byAge(a: Cached<Pod>, b: Cached<Pod>): number {
  const ta = Date.parse(a.metadata.creationTimestamp);
  const tb = Date.parse(b.metadata.creationTimestamp);
  if (ta !== tb) return ta - tb;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

function recordOf(pod: Cached<Pod>, since: string): LeaderRecord {
  return { pod: pod.metadata.name, uid: pod.metadata.uid, node: pod.spec?.nodeName ?? "", since };
}

/**
 * Chooses the agent leader among an Agent's Pods, given the one recorded
 * in its status and the leader label's key. Deterministic: the same Pods
 * and record give the same answer on every replica.
 *
 * 1. The recorded leader (same name and uid) is still Ready: kept, with its `since`.
 * 2. Else the oldest Ready Pod labelled `<labelKey>=true`: adopted, `since`
 *    from its leader-since annotation (else `now`).
 * 3. Else the oldest Ready Pod (ties by name): elected, since `now`.
 * 4. No Ready Pod: none.
 *
 * @example
 * ```ts
 * const choice = chooseAgentLeader(ctx.list(Pod, { namespace, labels: { [AGENT_LABEL]: name } }), agent.status?.leader, LEADER_LABEL, new Date());
 * ```
 */
export function chooseAgentLeader(pods: readonly Cached<Pod>[], current: Readonly<LeaderRecord> | undefined, labelKey: string, now: Date): LeaderChoice {
  const candidates = pods.filter(isReadyAgent).sort(byAge);
  const kept = current && candidates.find((p) => p.metadata.name === current.pod && p.metadata.uid === current.uid);
  if (kept) return { leader: kept, record: recordOf(kept, current.since), how: "kept", candidates };
  const labelled = candidates.find((p) => p.metadata.labels?.[labelKey] === "true");
  if (labelled) {
    const annotated = labelled.metadata.annotations?.[LEADER_SINCE_ANNOTATION];
    const since = annotated && !Number.isNaN(Date.parse(annotated)) ? annotated : now.toISOString();
    return { leader: labelled, record: recordOf(labelled, since), how: "adopted", candidates };
  }
  const oldest = candidates[0];
  if (oldest) return { leader: oldest, record: recordOf(oldest, now.toISOString()), how: "elected", candidates };
  return { leader: undefined, record: undefined, how: "none", candidates };
}
