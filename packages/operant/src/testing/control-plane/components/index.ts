export { launch, type ComponentContext, type ComponentDefinition, type ReadinessCheck, type RunningComponent } from "./component-definition.ts";
export { etcd } from "./etcd.ts";
export { kubeApiServer } from "./kube-apiserver.ts";
export { kubeControllerManager } from "./kube-controller-manager.ts";
export { kubeScheduler } from "./kube-scheduler.ts";
export { kwok } from "./kwok.ts";
