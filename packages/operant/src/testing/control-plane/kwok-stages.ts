// kwok plays the kubelet: these Stages tell it how Nodes and Pods move
// through their lives. Nodes become Ready at once and report status every five
// minutes (their Leases, renewed by kwok, are the real heartbeat); a scheduled
// Pod becomes Running and Ready at once, and Ready again after the node lifecycle
// controller marked it not ready during an outage; a Job's Pod then completes; a Pod
// being deleted is finished off as a kubelet would (a delete with no grace
// period, once; finalizers still hold it until their owners remove them), which
// is what lets Deployments roll and namespaces finish deleting without a kubelet.
// Templates use kwok's functions: Now, Quote, YAML, NodeConditions, NodeIP,
// NodeName, NodeIPWith, PodIPWith.

const nodeStatus = `
{{ $now := Now }}
{{ $since := or .metadata.creationTimestamp $now }}
conditions:
{{ range NodeConditions }}
- type: {{ .type | Quote }}
  status: {{ .status | Quote }}
  reason: {{ .reason | Quote }}
  message: {{ .message | Quote }}
  lastHeartbeatTime: {{ $now | Quote }}
  lastTransitionTime: {{ $since | Quote }}
{{ end }}
addresses:
{{ with .status.addresses }}
{{ YAML . 1 }}
{{ else }}
- type: InternalIP
  address: {{ NodeIP | Quote }}
- type: Hostname
  address: {{ NodeName | Quote }}
{{ end }}`;

const nodeInitialStatus = `${nodeStatus}
allocatable:
{{ with .status.allocatable }}
{{ YAML . 1 }}
{{ else }}
  cpu: "32"
  memory: 256Gi
  pods: "110"
{{ end }}
capacity:
{{ with .status.capacity }}
{{ YAML . 1 }}
{{ else }}
  cpu: "32"
  memory: 256Gi
  pods: "110"
{{ end }}
nodeInfo:
  architecture: amd64
  operatingSystem: linux
  kubeletVersion: kwok
  containerRuntimeVersion: kwok
  kernelVersion: kwok
  osImage: kwok
phase: Running`;

const podRunning = `
{{ $now := Now }}
phase: Running
startTime: {{ $now | Quote }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
conditions:
- type: PodScheduled
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: ContainersReady
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
- type: Ready
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ range .spec.readinessGates }}
- type: {{ .conditionType | Quote }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ end }}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  started: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}`;

// After an outage of its heartbeats (API server down longer than the node monitor grace period), the node
// lifecycle controller sets Ready False on every Pod of the Node, and only Ready (MarkPodsNotReady). A kubelet
// that was running all along reports its Pods' real status again at its next sync; kwok has no such sync, so this
// Stage is it: Ready again, every other condition as it was.
const podReadyAgain = `
{{ $now := Now }}
conditions:
{{ range .status.conditions }}
- type: {{ .type | Quote }}
{{ if eq .type "Ready" }}
  status: "True"
  lastTransitionTime: {{ $now | Quote }}
{{ else }}
  status: {{ .status | Quote }}
  lastTransitionTime: {{ .lastTransitionTime | Quote }}
{{ end }}
{{ end }}`;

const podSucceeded = `
{{ $now := Now }}
phase: Succeeded
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $now | Quote }}
      finishedAt: {{ $now | Quote }}
{{ end }}`;

function indent(text: string, spaces: number): string {
  const pad = " ".repeat(spaces);
  return text
    .trim()
    .split("\n")
    .map((l) => (l ? pad + l : l))
    .join("\n");
}

interface StageSpec {
  name: string;
  kind: "Node" | "Pod";
  selector: string;
  delay?: string;
  next: string;
}

function stage(s: StageSpec): string {
  return [
    "apiVersion: kwok.x-k8s.io/v1alpha1",
    "kind: Stage",
    "metadata:",
    `  name: ${s.name}`,
    "spec:",
    "  resourceRef:",
    "    apiGroup: v1",
    `    kind: ${s.kind}`,
    "  selector:",
    indent(s.selector, 4),
    ...(s.delay ? ["  delay:", indent(s.delay, 4)] : []),
    "  next:",
    indent(s.next, 4),
  ].join("\n");
}

const statusTemplate = (t: string) => `statusTemplate: |\n${indent(t, 2)}`;

/**
 * The kwok configuration file content: the Stages above, as YAML documents.
 *
 * @example
 * ```ts
 * await writeFile(join(dir, "kwok.yaml"), kwokStages());
 * ```
 */
export function kwokStages(): string {
  const stages: StageSpec[] = [
    {
      name: "operant-node-ready",
      kind: "Node",
      selector: `matchExpressions:
- key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
  operator: NotIn
  values: ["True"]`,
      next: statusTemplate(nodeInitialStatus),
    },
    {
      name: "operant-node-status-report",
      kind: "Node",
      selector: `matchExpressions:
- key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
  operator: In
  values: ["True"]`,
      delay: "durationMilliseconds: 300000\njitterDurationMilliseconds: 310000",
      next: statusTemplate(nodeStatus),
    },
    {
      name: "operant-pod-running",
      kind: "Pod",
      selector: `matchExpressions:
- key: .metadata.deletionTimestamp
  operator: DoesNotExist
- key: .spec.nodeName
  operator: Exists
- key: .status.podIP
  operator: DoesNotExist`,
      next: statusTemplate(podRunning),
    },
    {
      // Ready False while its containers are ready is the node lifecycle controller's mark after missed heartbeats
      // (a kubelet's own not-ready Pod has ContainersReady False too, and so has a Pod a test marks unready by hand).
      // Pods with readiness gates are left alone: a gate is another controller's to set.
      name: "operant-pod-ready-again",
      kind: "Pod",
      selector: `matchExpressions:
- key: .metadata.deletionTimestamp
  operator: DoesNotExist
- key: .spec.readinessGates
  operator: DoesNotExist
- key: .status.phase
  operator: In
  values: ["Running"]
- key: '.status.conditions.[] | select( .type == "ContainersReady" ) | .status'
  operator: In
  values: ["True"]
- key: '.status.conditions.[] | select( .type == "Ready" ) | .status'
  operator: NotIn
  values: ["True"]`,
      next: statusTemplate(podReadyAgain),
    },
    {
      name: "operant-pod-job-complete",
      kind: "Pod",
      selector: `matchExpressions:
- key: .metadata.deletionTimestamp
  operator: DoesNotExist
- key: .status.phase
  operator: In
  values: ["Running"]
- key: .metadata.ownerReferences.[].kind
  operator: In
  values: ["Job"]`,
      next: statusTemplate(podSucceeded),
    },
    {
      // Only while the grace period is still running. kwok deletes by name, without the uid precondition a
      // kubelet's delete carries, and its own delete (grace period 0) first writes the Pod once more — an event
      // that would give it a second, late delete by name, which kills a Pod that has just taken the same name
      // (a StatefulSet's replacement). With grace period 0 the API server removes the Pod itself, at once or
      // when its last finalizer goes.
      name: "operant-pod-delete",
      kind: "Pod",
      selector: `matchExpressions:
- key: .metadata.deletionTimestamp
  operator: Exists
- key: .metadata.deletionGracePeriodSeconds > 0
  operator: In
  values: ["true"]`,
      next: "delete: true",
    },
  ];
  return stages.map(stage).join("\n---\n") + "\n";
}
