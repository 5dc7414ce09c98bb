// The Agent resource (agents.example.com/v1alpha1): an agent to run on every
// selected Node (a DaemonSet), one of whose Pods the operator elects as the
// agent leader (seed 000: "the instana-operator leader determines which
// agent will be the agent leader"). The TypeScript type and the CRD both
// come from these schemas: after a change, run `operant generate`.
import Type from "typebox";
import { AGE_COLUMN, Condition, defineResource, type ObjectOf } from "operant";

/**
 * Label on every Pod of an Agent's DaemonSet: the Agent's name (the
 * DaemonSet's selector, and how a Pod is mapped back to its Agent).
 *
 * @example
 * ```ts
 * ctx.list(Pod, { namespace, labels: { [AGENT_LABEL]: agent.metadata.name } });
 * ```
 */
export const AGENT_LABEL = "agents.example.com/agent";

/**
 * The label the agent leader's Pod carries (value `"true"`) unless the
 * Agent names another in `spec.leaderLabel`. No other Pod of the Agent
 * carries it once the operator has converged.
 *
 * @example
 * ```ts
 * kubectl get pods -l agents.example.com/leader=true
 * ```
 */
export const LEADER_LABEL = "agents.example.com/leader";

/**
 * Annotation on the agent leader's Pod: since when it leads (RFC 3339).
 *
 * @example
 * ```ts
 * pod.metadata.annotations?.[LEADER_SINCE_ANNOTATION] // "2025-01-01T00:00:00.000Z"
 * ```
 */
export const LEADER_SINCE_ANNOTATION = "agents.example.com/leader-since";

// A qualified label key: an optional DNS-subdomain prefix and '/', then a name
// of at most 63 characters (alphanumerics, '-', '_', '.').
const LABEL_KEY = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";

const Leader = Type.Object({
  pod: Type.String({ description: "Name of the agent leader's Pod." }),
  uid: Type.String({ description: "uid of that Pod (a Pod recreated under the same name is another Pod)." }),
  node: Type.String({ description: "Node the agent leader runs on." }),
  since: Type.String({ format: "date-time", description: "When this Pod became the agent leader." }),
});

/**
 * An Agent: runs `spec.image` on every Node matching `spec.nodeSelector`
 * (a DaemonSet owned by the Agent) and elects one of its Ready Pods as the
 * agent leader, recorded in `status.leader` and as a label on that Pod.
 *
 * @example
 * ```ts
 * await client.create(Agent, { metadata: { name: "instana-agent", namespace: "default" }, spec: { image: "instana/agent:latest" } });
 * ```
 */
export const Agent = defineResource({
  group: "agents.example.com",
  version: "v1alpha1",
  kind: "Agent",
  scope: "Namespaced",
  description: "Agent runs an agent Pod on every selected Node and elects one of them as the agent leader.",
  spec: Type.Object({
    image: Type.String({ minLength: 1, description: "Container image of the agent Pods." }),
    nodeSelector: Type.Optional(
      Type.Record(Type.String(), Type.String(), { maxProperties: 32, description: "Nodes to run an agent on (all Nodes when empty), as a Pod's nodeSelector." }),
    ),
    leaderLabel: Type.Optional(
      Type.String({
        maxLength: 316,
        pattern: LABEL_KEY,
        description: `Label key put (value "true") on the agent leader's Pod and removed from the others. Default ${LEADER_LABEL}.`,
        "x-kubernetes-validations": [{ rule: `self != '${AGENT_LABEL}'`, message: `leaderLabel cannot be ${AGENT_LABEL}: that label selects the Agent's Pods` }],
      }),
    ),
  }),
  status: Type.Object({
    leader: Type.Optional(Leader),
    leaderLabel: Type.Optional(Type.String({ description: "The label key last put on the agent leader's Pod (removed from the Pods if spec.leaderLabel changes)." })),
    desiredPods: Type.Optional(Type.Integer({ minimum: 0, description: "Nodes that should run an agent Pod (the DaemonSet's desiredNumberScheduled)." })),
    readyPods: Type.Optional(Type.Integer({ minimum: 0, description: "Agent Pods that are Running and Ready: the candidates for agent leader." })),
    conditions: Type.Optional(Type.Array(Condition)),
  }),
  printerColumns: [
    { name: "Leader", type: "string", jsonPath: ".status.leader.pod" },
    { name: "Node", type: "string", jsonPath: ".status.leader.node" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyPods" },
    { name: "Desired", type: "integer", jsonPath: ".status.desiredPods" },
    { name: "Image", type: "string", jsonPath: ".spec.image", priority: 1 },
    AGE_COLUMN,
  ],
});

/**
 * An Agent object.
 *
 * @example
 * ```ts
 * const agent: Agent = await client.get(Agent, { namespace: "default", name: "instana-agent" });
 * ```
 */
export type Agent = ObjectOf<typeof Agent>;
