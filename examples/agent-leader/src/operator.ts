// The operator, described once: src/main.ts runs it, and `operant generate`
// reads it to write config/ (CRD, RBAC, the manager Deployment). Several
// replicas elect one leader, leader-for-life by default as in seed 000 (a
// ConfigMap lock owned by the leader's Pod; `--leader-elect` turns election
// on, `--leader-election-mode lease` switches to a Lease); only the leader
// runs the controller, so only it elects agent leaders.
import { defineOperator, type StatusSection } from "operant";
import { Agent } from "./api/agent.ts";
import { agentController } from "./controllers/agent.ts";
import { agentLeadersSection } from "./status-page/agent-leaders.ts";

export default defineOperator({
  name: "agent-operator",
  resources: [Agent],
  controllers: [agentController],
  leaderElection: { mode: "leader-for-life" },
});

/**
 * What the operator adds to its status page (every replica's 127.0.0.1:8082, --status-bind-address).
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, manager: { statusSections } });
 * ```
 */
export const statusSections: readonly StatusSection[] = [agentLeadersSection];
