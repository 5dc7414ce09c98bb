// Command peer is the controller-runtime side of operant's peer benchmarks
// (bench/peers.ts). One binary, several modes, each mirroring a worker of
// bench/runtime (or the Memcached operator of examples/memcached); workers
// print one JSON object per line on stdout, as the TypeScript workers do.
//
//	peer --mode memcached --kubeconfig k --namespace ns --metrics-bind-address a --health-probe-bind-address b
//	peer --mode informer  --kubeconfig k --namespace ns --kind pods|configmaps [--transform strip|none]
//	peer --mode noop      --kubeconfig k --namespace ns --expected N [--workers 1]
//	peer --mode latency   --kubeconfig k --namespace ns --expected N
//	peer --mode idle      --kubeconfig k --namespace ns [--settle 10]
//	peer --mode ingest    --server http://127.0.0.1:port --expected N
//	peer --mode missed    --kubeconfig k --namespace ns   (reports its cache on each "report" line of stdin)
//	peer --mode webhook   --port p --cert-dir d          (serves /validate and /convert until stdin closes)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"go.uber.org/zap/zapcore"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

type options struct {
	mode, kubeconfig, namespace, kind, transform, server string
	certDir                                              string
	port                                                 int
	metricsAddr, healthAddr, rateLimiter                 string
	qps                                                  float64
	burst, expected, workers, settle                     int
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "memcached", "memcached, informer, noop, latency, idle, ingest, missed or webhook")
	flag.StringVar(&o.namespace, "namespace", "", "namespace to watch")
	flag.StringVar(&o.kind, "kind", "configmaps", "informer mode: pods or configmaps")
	flag.StringVar(&o.transform, "transform", "strip", "informer mode: strip (managedFields) or none")
	flag.StringVar(&o.server, "server", "", "ingest mode: replay server URL")
	flag.StringVar(&o.metricsAddr, "metrics-bind-address", "0", "metrics address (0 disables)")
	flag.StringVar(&o.healthAddr, "health-probe-bind-address", "", "health probe address (empty disables)")
	flag.Float64Var(&o.qps, "qps", 20, "client QPS (negative: unlimited); 20 is operant's default, and controller-runtime's")
	flag.IntVar(&o.burst, "burst", 30, "client burst")
	flag.StringVar(&o.rateLimiter, "rate-limiter", "shared", "shared: one token bucket for every client of the process (operant's single budget); per-type: client-go's default, a bucket per REST client, which controller-runtime makes per API type")
	flag.IntVar(&o.expected, "expected", 0, "reconciles or events to wait for")
	flag.IntVar(&o.workers, "workers", 1, "MaxConcurrentReconciles")
	flag.IntVar(&o.settle, "settle", 10, "idle mode: seconds before measuring")
	flag.IntVar(&o.port, "port", 9443, "webhook mode: port on 127.0.0.1")
	flag.StringVar(&o.certDir, "cert-dir", "", "webhook mode: directory with tls.crt and tls.key")
	// --kubeconfig is controller-runtime's own flag (registered by its config package).
	flag.Parse()
	if f := flag.Lookup("kubeconfig"); f != nil {
		o.kubeconfig = f.Value.String()
	}

	// The operator logs at info (its "Starting workers" line is what bench/peers.ts waits for); workers log errors only.
	level := zapcore.InfoLevel
	if o.mode != "memcached" {
		level = zapcore.ErrorLevel
	}
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stderr), zap.UseDevMode(false), zap.Level(level)))
	var err error
	switch o.mode {
	case "memcached":
		err = runMemcached(o)
	case "informer":
		err = runInformer(o)
	case "noop":
		err = runNoop(o)
	case "latency":
		err = runLatency(o)
	case "idle":
		err = runIdle(o)
	case "ingest":
		err = runIngest(o)
	case "missed":
		err = runMissed(o)
	case "webhook":
		err = runWebhook(o)
	default:
		err = fmt.Errorf("unknown mode %q", o.mode)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "peer --mode %s: %v\n", o.mode, err)
		os.Exit(1)
	}
}

func restConfig(o options) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS = float32(o.qps)
	cfg.Burst = o.burst
	// client-go gives each REST client a token bucket of its own unless the
	// config carries one, and controller-runtime builds a REST client per API
	// type (and one for events): QPS 20 would then mean 20 per type. Sharing
	// one bucket makes the budget operant's: QPS/burst for the whole process.
	if o.qps > 0 && o.rateLimiter == "shared" {
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	}
	return cfg, nil
}

// emit prints one JSON line on stdout.
func emit(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(b, '\n'))
}
