package main

import (
	"errors"
	"net/http"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// runMemcached runs the Memcached operator as a controller-runtime user would
// set it up: one namespace cached, managedFields stripped, Pods cached only
// with label app=memcached (operant's .watches(Pod, { labels })), no leader
// election, client QPS/burst as operant's defaults (20/30).
func runMemcached(o options) error {
	cfg, err := restConfig(o)
	if err != nil {
		return err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	if err := addMemcachedTypes(scheme); err != nil {
		return err
	}
	cacheOptions := cache.Options{
		DefaultTransform: cache.TransformStripManagedFields(),
		ByObject:         map[client.Object]cache.ByObject{&corev1.Pod{}: {Label: labels.SelectorFromSet(labels.Set{"app": "memcached"})}},
	}
	if o.namespace != "" {
		cacheOptions.DefaultNamespaces = map[string]cache.Config{o.namespace: {}}
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cacheOptions,
		Metrics:                metricsserver.Options{BindAddress: o.metricsAddr},
		HealthProbeBindAddress: o.healthAddr,
		LeaderElection:         false,
	})
	if err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("ping", healthz.Ping); err != nil {
		return err
	}
	// Ready once the controller's informers have synced, as operant's /readyz.
	if err := mgr.AddReadyzCheck("informers", func(req *http.Request) error {
		for _, obj := range []client.Object{&Memcached{}, &appsv1.Deployment{}, &corev1.Pod{}} {
			inf, err := mgr.GetCache().GetInformer(req.Context(), obj, cache.BlockUntilSynced(false))
			if err != nil {
				return err
			}
			if !inf.HasSynced() {
				return errors.New("informers not synced")
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := setupMemcached(mgr); err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	return mgr.Start(ctx)
}
