package main

// The Memcached controller, mirroring operant's examples/memcached
// controller step by step: finalizer (merge patch with a resourceVersion
// precondition), the Deployment by server-side apply (forced, owned by the
// Memcached), a Created/Scaled event, status.nodes from the cached Pods
// selected by label and an Available condition, written by server-side
// apply on /status only when the status changed.

import (
	"context"
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	metav1ac "k8s.io/client-go/applyconfigurations/meta/v1"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

const (
	finalizerName = "cache.example.com/finalizer"
	fieldOwner    = "memcached-controller"
)

func labelsFor(name string) map[string]string {
	return map[string]string{"app": "memcached", "memcached_cr": name}
}

type memcachedReconciler struct {
	client.Client
	recorder events.EventRecorder
}

func (r *memcachedReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var mc Memcached
	if err := r.Get(ctx, req.NamespacedName, &mc); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	name, namespace := mc.Name, mc.Namespace

	// Finalizer: clean up when being deleted; otherwise make sure it is there.
	if !mc.DeletionTimestamp.IsZero() {
		if controllerutil.ContainsFinalizer(&mc, finalizerName) {
			dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace}}
			if err := r.Delete(ctx, dep); err != nil && !apierrors.IsNotFound(err) {
				return ctrl.Result{}, err
			}
			patch := client.MergeFromWithOptions(mc.DeepCopy(), client.MergeFromWithOptimisticLock{})
			controllerutil.RemoveFinalizer(&mc, finalizerName)
			if err := r.Patch(ctx, &mc, patch); err != nil {
				return ctrl.Result{}, err
			}
		}
		return ctrl.Result{}, nil
	}
	if !controllerutil.ContainsFinalizer(&mc, finalizerName) {
		patch := client.MergeFromWithOptions(mc.DeepCopy(), client.MergeFromWithOptimisticLock{})
		controllerutil.AddFinalizer(&mc, finalizerName)
		if err := r.Patch(ctx, &mc, patch); err != nil {
			return ctrl.Result{}, err
		}
	}

	// The Deployment, with spec.size replicas, owned by the Memcached.
	labels := labelsFor(name)
	var before appsv1.Deployment
	hadBefore := true
	if err := r.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, &before); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		hadBefore = false
	}
	dep := appsv1ac.Deployment(name, namespace).
		WithLabels(labels).
		WithOwnerReferences(metav1ac.OwnerReference().
			WithAPIVersion(groupVersion.String()).WithKind("Memcached").WithName(name).WithUID(mc.UID).
			WithController(true).WithBlockOwnerDeletion(true)).
		WithSpec(appsv1ac.DeploymentSpec().
			WithReplicas(mc.Spec.Size).
			WithSelector(metav1ac.LabelSelector().WithMatchLabels(labels)).
			WithTemplate(corev1ac.PodTemplateSpec().
				WithLabels(labels).
				WithSpec(corev1ac.PodSpec().WithContainers(corev1ac.Container().
					WithName("memcached").
					WithImage("memcached:1.4.36-alpine").
					WithCommand("memcached", "-m=64", "-o", "modern", "-v").
					WithPorts(corev1ac.ContainerPort().WithContainerPort(11211).WithName("memcached"))))))
	if err := r.Apply(ctx, dep, client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return ctrl.Result{}, err
	}
	if !hadBefore || before.Spec.Replicas == nil || *before.Spec.Replicas != mc.Spec.Size {
		reason, verb := "Created", "created"
		if hadBefore {
			reason, verb = "Scaled", "scaled"
		}
		r.recorder.Eventf(&mc, nil, corev1.EventTypeNormal, reason, "Reconcile", "Deployment %s %s with %d replicas", name, verb, mc.Spec.Size)
	}

	// Status: the names of the Pods, and whether they all run.
	var pods corev1.PodList
	if err := r.List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(labels)); err != nil {
		return ctrl.Result{}, err
	}
	nodes := []string{}
	running := 0
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp != nil {
			continue
		}
		nodes = append(nodes, p.Name)
		if p.Status.Phase == corev1.PodRunning {
			running++
		}
	}
	slices.Sort(nodes)
	available := running == int(mc.Spec.Size) && len(nodes) == int(mc.Spec.Size)
	conditions := append([]metav1.Condition(nil), mc.Status.Conditions...)
	cond := metav1.Condition{Type: "Available", Status: metav1.ConditionFalse, Reason: "PodsNotRunning", Message: fmt.Sprintf("%d/%d Pods running", running, mc.Spec.Size), ObservedGeneration: mc.Generation}
	if available {
		cond.Status, cond.Reason = metav1.ConditionTrue, "PodsRunning"
	}
	meta.SetStatusCondition(&conditions, cond)
	if slices.Equal(nodes, mc.Status.Nodes) && equality.Semantic.DeepEqual(conditions, mc.Status.Conditions) {
		return ctrl.Result{}, nil
	}
	status := map[string]any{"nodes": toAny(nodes), "conditions": conditionsToAny(conditions)}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": groupVersion.String(),
		"kind":       "Memcached",
		"metadata":   map[string]any{"name": name, "namespace": namespace},
		"status":     status,
	}}
	if err := r.Status().Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{}, nil
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func conditionsToAny(cs []metav1.Condition) []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{
			"type":               c.Type,
			"status":             string(c.Status),
			"observedGeneration": c.ObservedGeneration,
			"lastTransitionTime": c.LastTransitionTime.UTC().Format("2006-01-02T15:04:05Z"),
			"reason":             c.Reason,
			"message":            c.Message,
		}
	}
	return out
}

// setupMemcached registers the controller: For Memcached, Owns Deployment,
// Watches Pods (cached by label app=memcached) mapped back by their
// memcached_cr label.
func setupMemcached(mgr ctrl.Manager) error {
	r := &memcachedReconciler{Client: mgr.GetClient(), recorder: mgr.GetEventRecorder("memcached-operator")}
	return ctrl.NewControllerManagedBy(mgr).
		For(&Memcached{}).
		Owns(&appsv1.Deployment{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			name := o.GetLabels()["memcached_cr"]
			if name == "" {
				return nil
			}
			return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: name}}}
		})).
		Complete(r)
}
