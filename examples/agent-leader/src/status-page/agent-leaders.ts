// The operator's section on its status page (127.0.0.1:8082, `GET /` and `GET
// /status`): per Agent, the agent leader, next to the operator leader the
// page already shows. Every replica serves it from its own cache, which it
// keeps warm while standing by, so all replicas show the same agent leader.
import type { StatusSection } from "operant";
import { Pod } from "operant/kinds";
import { Agent, AGENT_LABEL, LEADER_LABEL } from "../api/agent.ts";

/**
 * The "agent-leaders" status page section: one row per Agent with its
 * agent leader (Pod, Node, since when), the Pods carrying the leader label
 * (as this replica's cache sees them) and how many agents are Ready.
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, manager: { statusSections: [agentLeadersSection] } });
 * // curl -s localhost:8082/status | jq '.sections["agent-leaders"].data'
 * ```
 */
export const agentLeadersSection: StatusSection = {
  name: "agent-leaders",
  title: "Agent leaders",
  collect: (manager) =>
    manager.cache
      .list(Agent)
      .map((agent) => {
        const { namespace, name } = agent.metadata;
        const key = agent.spec.leaderLabel ?? LEADER_LABEL;
        const labelled = manager.cache
          .list(Pod, { namespace, labels: { [AGENT_LABEL]: name } })
          .filter((p) => p.metadata.labels?.[key] === "true")
          .map((p) => p.metadata.name)
          .sort();
        const leader = agent.status?.leader;
        return {
          agent: `${namespace}/${name}`,
          leader: leader?.pod ?? null,
          node: leader?.node ?? null,
          since: leader?.since ?? null,
          labelled,
          ready: `${agent.status?.readyPods ?? 0}/${agent.status?.desiredPods ?? 0}`,
        };
      })
      .sort((a, b) => (a.agent < b.agent ? -1 : a.agent > b.agent ? 1 : 0)),
};
