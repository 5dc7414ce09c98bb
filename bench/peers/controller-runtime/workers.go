package main

// Workers mirroring bench/runtime's: cache memory and initial sync, no-op
// reconcile throughput, event → reconcile latency, idle memory, watch ingest,
// and a cache that must converge while its connections are cut.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

func nowMs() float64 { return float64(time.Now().UnixNano()) / 1e6 }

func namespaceCache(o options, transform bool) cache.Options {
	opts := cache.Options{Scheme: clientgoscheme.Scheme, DefaultNamespaces: map[string]cache.Config{o.namespace: {}}}
	if transform {
		opts.DefaultTransform = cache.TransformStripManagedFields()
	}
	return opts
}

func objectFor(kind string) (client.Object, error) {
	switch kind {
	case "pods":
		return &corev1.Pod{}, nil
	case "configmaps":
		return &corev1.ConfigMap{}, nil
	}
	return nil, fmt.Errorf("unknown kind %q (pods or configmaps)", kind)
}

// runInformer: one informer syncs a namespace; reports sync time, heap per
// cached object (live heap after GC, before vs after) and peak vs steady memory.
func runInformer(o options) error {
	cfg, err := restConfig(o)
	if err != nil {
		return err
	}
	obj, err := objectFor(o.kind)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Warm the connection and the code paths, as the TypeScript worker does.
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	if _, err := cs.CoreV1().ConfigMaps("default").List(ctx, metav1.ListOptions{Limit: 1}); err != nil {
		return err
	}
	c, err := cache.New(cfg, namespaceCache(o, o.transform != "none"))
	if err != nil {
		return err
	}
	baseHeap, _ := settledHeap()
	baseRss := rss()
	sampler := startPeakSampler()
	t0 := time.Now()
	if _, err := c.GetInformer(ctx, obj, cache.BlockUntilSynced(false)); err != nil {
		return err
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	syncMs := float64(time.Since(t0).Microseconds()) / 1000
	peakHeap, peakRss := sampler.finish()
	steadyHeap, steadyInuse := settledHeap()
	steadyRss := rss()
	count, err := cachedCount(ctx, c, o)
	if err != nil {
		return err
	}
	emit(map[string]any{
		"kind": o.kind, "transform": o.transform, "count": count, "syncMs": syncMs,
		"heapPerObject": float64(steadyHeap-baseHeap) / float64(count),
		"rssPerObject":  (float64(steadyRss) - float64(baseRss)) / float64(count),
		"steadyHeap":    steadyHeap, "steadyHeapInuse": steadyInuse, "peakHeap": max(peakHeap, steadyHeap), "baseHeap": baseHeap,
		"steadyRss": steadyRss, "peakRss": max(peakRss, steadyRss, procStatus("VmHWM")), "baseRss": baseRss,
	})
	return nil
}

// cachedCount lists the namespace from the cache (after the memory was measured: a cached List copies).
func cachedCount(ctx context.Context, c cache.Cache, o options) (int, error) {
	if o.kind == "pods" {
		var l corev1.PodList
		err := c.List(ctx, &l, client.InNamespace(o.namespace))
		return len(l.Items), err
	}
	var l corev1.ConfigMapList
	err := c.List(ctx, &l, client.InNamespace(o.namespace))
	return len(l.Items), err
}

// countingReconciler reads the object from the cache (what every reconciler
// does first) and calls back.
type countingReconciler struct {
	client.Reader
	obj func() client.Object
	fn  func(ctx context.Context, obj client.Object)
}

func (r *countingReconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	obj := r.obj()
	if err := r.Get(ctx, req.NamespacedName, obj); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	r.fn(ctx, obj)
	return reconcile.Result{}, nil
}

func configMapManager(o options, metrics string, health string) (ctrl.Manager, error) {
	cfg, err := restConfig(o)
	if err != nil {
		return nil, err
	}
	return ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 clientgoscheme.Scheme,
		Cache:                  namespaceCache(o, true),
		Metrics:                metricsserver.Options{BindAddress: metrics},
		HealthProbeBindAddress: health,
	})
}

// runNoop: a controller that does nothing over a namespace of N cached
// ConfigMaps; reports reconciles per second from the first to the N-th.
func runNoop(o options) error {
	mgr, err := configMapManager(o, "0", "")
	if err != nil {
		return err
	}
	var count atomic.Int64
	var first, last time.Time
	done := make(chan struct{})
	r := &countingReconciler{Reader: mgr.GetClient(), obj: func() client.Object { return &corev1.ConfigMap{} }, fn: func(context.Context, client.Object) {
		n := count.Add(1)
		if n == 1 {
			first = time.Now()
		}
		if n == int64(o.expected) {
			last = time.Now()
			close(done)
		}
	}}
	if err := ctrl.NewControllerManagedBy(mgr).Named("noop").For(&corev1.ConfigMap{}).WithOptions(controller.Options{MaxConcurrentReconciles: o.workers}).Complete(r); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = mgr.Start(ctx) }()
	<-done
	ms := float64(last.Sub(first).Microseconds()) / 1000
	emit(map[string]any{"count": o.expected, "ms": ms, "perSecond": float64(o.expected-1) / (ms / 1000)})
	return nil
}

// timedEnqueue is controller-runtime's EnqueueRequestForObject (what For()
// installs) that first stamps each update's arrival, by resourceVersion: the
// same point where operant's latency worker stamps it (a handler called with
// the controller's, before the reconcile can start).
type timedEnqueue struct {
	handler.EnqueueRequestForObject
	arrived func(rv string)
}

func (h *timedEnqueue) Update(ctx context.Context, evt event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	h.arrived(evt.ObjectNew.GetResourceVersion())
	h.EnqueueRequestForObject.Update(ctx, evt, q)
}

// runLatency: reconciles ConfigMaps that another process patches at a steady
// rate; per event, the time from the informer handing it out to the reconcile
// starting (framework), and from the write to the reconcile (end to end).
// Reports once `expected` events were matched, or when stdin closes.
func runLatency(o options) error {
	mgr, err := configMapManager(o, "0", "")
	if err != nil {
		return err
	}
	var mu sync.Mutex
	arrivals := map[string]float64{}
	framework := []float64{}
	endToEnd := []float64{}
	done := make(chan struct{})
	var closeOnce sync.Once
	finish := func() { closeOnce.Do(func() { close(done) }) }
	r := &countingReconciler{Reader: mgr.GetClient(), obj: func() client.Object { return &corev1.ConfigMap{} }, fn: func(_ context.Context, obj client.Object) {
		now := nowMs()
		rv := obj.GetResourceVersion()
		sent, _ := strconv.ParseFloat(obj.GetAnnotations()["bench/sent"], 64)
		mu.Lock()
		defer mu.Unlock()
		arrived, ok := arrivals[rv]
		if !ok || sent == 0 || len(framework) >= o.expected {
			return
		}
		delete(arrivals, rv)
		framework = append(framework, now-arrived)
		endToEnd = append(endToEnd, now-sent)
		if len(framework) == o.expected {
			finish()
		}
	}}
	h := &timedEnqueue{arrived: func(rv string) {
		now := nowMs()
		mu.Lock()
		arrivals[rv] = now
		mu.Unlock()
	}}
	if err := ctrl.NewControllerManagedBy(mgr).Named("latency").Watches(&corev1.ConfigMap{}, h).WithOptions(controller.Options{MaxConcurrentReconciles: 2}).Complete(r); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	emit(map[string]any{"ready": true})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		finish()
	}()
	<-done
	mu.Lock()
	defer mu.Unlock()
	emit(map[string]any{"framework": framework, "endToEnd": endToEnd})
	return nil
}

// runIdle: a manager with one controller over a small namespace, metrics and
// probes served, left idle; reports RSS and heap once settled.
func runIdle(o options) error {
	mgr, err := configMapManager(o, "127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r := &countingReconciler{Reader: mgr.GetClient(), obj: func() client.Object { return &corev1.ConfigMap{} }, fn: func(context.Context, client.Object) {}}
	if err := ctrl.NewControllerManagedBy(mgr).Named("idle").For(&corev1.ConfigMap{}).Complete(r); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = mgr.Start(ctx) }()
	time.Sleep(time.Duration(o.settle) * time.Second)
	heap, inuse := settledHeap()
	time.Sleep(300 * time.Millisecond)
	emit(map[string]any{"rss": rss(), "heapUsed": heap, "heapInuse": inuse, "synced": mgr.GetCache().WaitForCacheSync(ctx)})
	return nil
}

// runIngest: an informer fed by bench/runtime's replay server; reports how
// many events per second the cache absorbs (decode, transform, store, notify).
func runIngest(o options) error {
	// The replay server answers a LIST and a plain WATCH, not a streaming list.
	os.Setenv("KUBE_FEATURE_WatchListClient", "false")
	cfg := &rest.Config{Host: o.server, QPS: -1}
	mapper := meta.NewDefaultRESTMapper([]schema.GroupVersion{corev1.SchemeGroupVersion})
	mapper.Add(corev1.SchemeGroupVersion.WithKind("Pod"), meta.RESTScopeNamespace)
	c, err := cache.New(cfg, cache.Options{Scheme: clientgoscheme.Scheme, Mapper: mapper, HTTPClient: http.DefaultClient, DefaultNamespaces: map[string]cache.Config{"replay": {}}, DefaultTransform: cache.TransformStripManagedFields()})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inf, err := c.GetInformer(ctx, &corev1.Pod{}, cache.BlockUntilSynced(false))
	if err != nil {
		return err
	}
	var seen atomic.Int64
	var first time.Time
	done := make(chan struct{})
	tick := func() {
		n := seen.Add(1)
		if n == 1 {
			first = time.Now()
		}
		if n == int64(o.expected) {
			close(done)
		}
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: func(any) { tick() }, UpdateFunc: func(any, any) { tick() }}); err != nil {
		return err
	}
	go func() { _ = c.Start(ctx) }()
	<-done
	ms := float64(time.Since(first).Microseconds()) / 1000
	emit(map[string]any{"events": o.expected, "ms": ms, "perSecond": float64(o.expected-1) / (ms / 1000)})
	return nil
}

// runMissed: a ConfigMap informer (through a proxy that cuts connections);
// each "report" line on stdin prints what the cache holds (annotation
// bench/seq per ConfigMap) and which values its handlers saw.
func runMissed(o options) error {
	cfg, err := restConfig(o)
	if err != nil {
		return err
	}
	var watchErrors atomic.Int64
	opts := namespaceCache(o, true)
	opts.DefaultWatchErrorHandler = func(ctx context.Context, r *toolscache.Reflector, err error) {
		watchErrors.Add(1)
		toolscache.DefaultWatchErrorHandler(ctx, r, err)
	}
	c, err := cache.New(cfg, opts)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	inf, err := c.GetInformer(ctx, &corev1.ConfigMap{}, cache.BlockUntilSynced(false))
	if err != nil {
		return err
	}
	var mu sync.Mutex
	seen := map[string]map[string]bool{}
	events := 0
	record := func(obj any) {
		cm, ok := obj.(*corev1.ConfigMap)
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		events++
		if seq, ok := cm.Annotations["bench/seq"]; ok {
			if seen[cm.Name] == nil {
				seen[cm.Name] = map[string]bool{}
			}
			seen[cm.Name][seq] = true
		}
	}
	if _, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: record, UpdateFunc: func(_, n any) { record(n) }}); err != nil {
		return err
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return fmt.Errorf("cache did not sync")
	}
	emit(map[string]any{"ready": true})
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() != "report" {
			continue
		}
		state := map[string]string{}
		var list corev1.ConfigMapList
		if err := c.List(ctx, &list, client.InNamespace(o.namespace)); err != nil {
			return err
		}
		for _, cm := range list.Items {
			state[cm.Name] = cm.Annotations["bench/seq"]
		}
		mu.Lock()
		values := map[string][]string{}
		for name, s := range seen {
			for v := range s {
				values[name] = append(values[name], v)
			}
		}
		emit(map[string]any{"state": state, "seen": values, "events": events, "errors": watchErrors.Load()})
		mu.Unlock()
	}
	return nil
}
