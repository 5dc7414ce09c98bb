// The Agent controller. Only the operator leader runs it (leader-for-life by
// default: the replica whose Pod owns the ConfigMap lock). For each Agent:
// a DaemonSet running spec.image on every selected Node, owned by the Agent;
// one of its Ready Pods is the agent leader (chooseAgentLeader: kept while
// Ready, else the oldest Ready Pod), labelled `<leaderLabel>=true` and
// annotated with since when, the label removed from every other Pod; and
// status.leader records it. The DaemonSet's Pods are owned by the DaemonSet,
// not the Agent, so they are watched by label and mapped back to their Agent.
import { Action, ApiError, Controller, type Cached, type ReconcileContext } from "operant";
import { DaemonSet, Pod } from "operant/kinds";
import { Agent, AGENT_LABEL, LEADER_LABEL, LEADER_SINCE_ANNOTATION } from "../api/agent.ts";
import { chooseAgentLeader, type LeaderRecord } from "./agent-leader.ts";

/**
 * Labels of an Agent's DaemonSet and Pods.
 *
 * @example
 * ```ts
 * labelsFor("instana-agent") // { "app.kubernetes.io/name": "agent", …, "agents.example.com/agent": "instana-agent" }
 * ```
 */
export function labelsFor(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": "agent", "app.kubernetes.io/managed-by": "agent-operator", [AGENT_LABEL]: name };
}

/** Patches a Pod's labels and annotations (merge patch: null removes); a Pod gone meanwhile is fine. */
async function patchPod(ctx: ReconcileContext<Agent>, pod: Cached<Pod>, labels: Record<string, string | null>, annotations: Record<string, string | null>): Promise<void> {
  try {
    await ctx.patch(Pod, { namespace: pod.metadata.namespace, name: pod.metadata.name }, { metadata: { labels, annotations } });
  } catch (err) {
    if (err instanceof ApiError && err.code === "NotFound") return;
    throw err;
  }
}

/** Why the recorded leader is no longer the leader, for events. */
function whyReplaced(previous: Readonly<LeaderRecord>, pods: readonly Cached<Pod>[]): string {
  const pod = pods.find((p) => p.metadata.name === previous.pod && p.metadata.uid === previous.uid);
  if (!pod || pod.metadata.deletionTimestamp) return `${previous.pod} is gone`;
  return `${previous.pod} is not ready`;
}

/**
 * The controller: DaemonSet, agent leader election, status.
 *
 * @example
 * ```ts
 * defineOperator({ name: "agent-operator", resources: [Agent], controllers: [agentController] });
 * ```
 */
export const agentController = Controller.for(Agent)
  .owns(DaemonSet)
  .watches(Pod, {
    labels: AGENT_LABEL,
    toRequests: (pod) => [{ namespace: pod.metadata.namespace, name: pod.metadata.labels?.[AGENT_LABEL] ?? "" }],
  })
  // Labelling the agent leader's Pod (and unlabelling the others).
  .permissions({ apiGroups: [""], resources: ["pods"], verbs: ["patch"] })
  .reconcile(async (agent, ctx) => {
    const { name, namespace } = agent.metadata;
    const labelKey = agent.spec.leaderLabel ?? LEADER_LABEL;

    // The agents: one Pod per selected Node (server-side apply; owned by the Agent).
    const labels = labelsFor(name);
    const ds = await ctx.apply(DaemonSet, {
      metadata: { name, labels },
      spec: {
        selector: { matchLabels: { [AGENT_LABEL]: name } },
        template: {
          metadata: { labels },
          spec: {
            ...(agent.spec.nodeSelector && { nodeSelector: { ...agent.spec.nodeSelector } }),
            containers: [
              {
                name: "agent",
                image: agent.spec.image,
                env: [
                  { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                ],
              },
            ],
          },
        },
      },
    });

    // The agent leader, among this DaemonSet's Ready Pods.
    const pods = ctx.list(Pod, { namespace, labels: { [AGENT_LABEL]: name } });
    const ours = pods.filter((p) => (p.metadata.ownerReferences ?? []).some((o) => o.controller && o.kind === "DaemonSet" && o.uid === ds.metadata.uid));
    const previous = agent.status?.leader;
    const choice = chooseAgentLeader(ours, previous, labelKey, new Date());
    const { leader, record } = choice;

    // At most one Pod labelled at any time: take the label off the others first.
    // The key recorded in the status is cleaned up too if spec.leaderLabel changed.
    const keys = [...new Set([labelKey, agent.status?.leaderLabel ?? labelKey])];
    for (const pod of pods) {
      if (pod === leader) continue;
      const stale = keys.filter((k) => pod.metadata.labels?.[k] !== undefined);
      const annotated = pod.metadata.annotations?.[LEADER_SINCE_ANNOTATION] !== undefined;
      if (stale.length || annotated) {
        await patchPod(ctx, pod, Object.fromEntries(stale.map((k) => [k, null])), annotated ? { [LEADER_SINCE_ANNOTATION]: null } : {});
      }
    }
    if (leader && record) {
      const old = keys.filter((k) => k !== labelKey && leader.metadata.labels?.[k] !== undefined);
      if (leader.metadata.labels?.[labelKey] !== "true" || leader.metadata.annotations?.[LEADER_SINCE_ANNOTATION] !== record.since || old.length) {
        await patchPod(ctx, leader, { [labelKey]: "true", ...Object.fromEntries(old.map((k) => [k, null])) }, { [LEADER_SINCE_ANNOTATION]: record.since });
      }
    }

    if (record && (previous?.pod !== record.pod || previous.uid !== record.uid)) {
      const was = previous ? ` (${whyReplaced(previous, ours)})` : "";
      ctx.log.info({ leader: record.pod, node: record.node, how: choice.how, previous: previous?.pod, candidates: choice.candidates.map((p) => `${p.metadata.name}@${p.metadata.creationTimestamp}`) }, "agent leader chosen");
      ctx.event("Normal", "LeaderElected", `${record.pod} on ${record.node} is the agent leader${was}`);
    } else if (!record && previous) {
      ctx.event("Warning", "NoLeader", `no agent Pod is Ready: no agent leader (${whyReplaced(previous, ours)})`);
    }

    // Status: the agent leader, how many agents are Ready, and conditions.
    const desired = ds.status?.desiredNumberScheduled ?? 0;
    const ready = choice.candidates.length;
    ctx.condition("LeaderElected", !!record, record ? "LeaderReady" : "NoReadyPod", record ? `${record.pod} on ${record.node} leads since ${record.since}` : "no agent Pod is Running and Ready");
    const available = desired > 0 && ready >= desired;
    const conditions = ctx.condition("Available", available, available ? "AllPodsReady" : "PodsNotReady", `${ready}/${desired} agent Pods ready`);
    await ctx.updateStatus({
      ...(record && { leader: record }),
      leaderLabel: labelKey,
      desiredPods: desired,
      readyPods: ready,
      conditions,
    });
    return Action.awaitChange();
  });
