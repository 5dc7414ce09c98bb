package main

// The webhook mode: controller-runtime's webhook.Server serving a validating
// admission webhook (admission.WithValidator over a typed Gadget) at
// /validate and a conversion webhook (hub and spoke, conversion.Hub /
// conversion.Convertible) at /convert, over TLS from --cert-dir (tls.crt,
// tls.key), on 127.0.0.1:--port. The same webhooks as operant's side of the
// benchmark (bench/peers/operant/webhook.ts): replicas above 100 are denied;
// v1 (the hub, storage) ⇄ v1alpha1 renames replicas ⇄ size, and the field
// one version lacks is kept in an annotation as JSON, as kubebuilder users do.
// Prints {"ready":true} once the port accepts connections; exits when stdin
// closes.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/conversion"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
	whconversion "sigs.k8s.io/controller-runtime/pkg/webhook/conversion"
)

const (
	gadgetGroup     = "bench-webhook.operant.dev"
	stashAnnotation = "conversion.operant.dev/stash"
	maxReplicas     = 100
)

// GadgetSpec is the hub's (v1) spec.
type GadgetSpec struct {
	Replicas int64  `json:"replicas"`
	Image    string `json:"image"`
}

// Gadget is v1, the hub and storage version.
type Gadget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GadgetSpec `json:"spec"`
}

func (g *Gadget) DeepCopyObject() runtime.Object {
	c := *g
	g.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

// Hub marks v1 as the hub.
func (*Gadget) Hub() {}

// GadgetAlphaSpec is v1alpha1's spec: size for replicas, a tier v1 lacks, no image.
type GadgetAlphaSpec struct {
	Size int64  `json:"size"`
	Tier string `json:"tier,omitempty"`
}

// GadgetAlpha is v1alpha1, a spoke.
type GadgetAlpha struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              GadgetAlphaSpec `json:"spec"`
}

func (g *GadgetAlpha) DeepCopyObject() runtime.Object {
	c := *g
	g.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

// takeStash removes the stash annotation from meta and returns what it held.
func takeStash(meta *metav1.ObjectMeta) map[string]string {
	stash := map[string]string{}
	if raw, ok := meta.Annotations[stashAnnotation]; ok {
		_ = json.Unmarshal([]byte(raw), &stash)
		delete(meta.Annotations, stashAnnotation)
		if len(meta.Annotations) == 0 {
			meta.Annotations = nil
		}
	}
	return stash
}

func putStash(meta *metav1.ObjectMeta, stash map[string]string) error {
	if len(stash) == 0 {
		return nil
	}
	b, err := json.Marshal(stash)
	if err != nil {
		return err
	}
	if meta.Annotations == nil {
		meta.Annotations = map[string]string{}
	}
	meta.Annotations[stashAnnotation] = string(b)
	return nil
}

// ConvertTo converts this v1alpha1 Gadget to the hub (v1).
func (g *GadgetAlpha) ConvertTo(dst conversion.Hub) error {
	hub := dst.(*Gadget)
	g.ObjectMeta.DeepCopyInto(&hub.ObjectMeta)
	stash := takeStash(&hub.ObjectMeta)
	hub.Spec.Replicas = g.Spec.Size
	hub.Spec.Image = "memcached:1.6"
	if image, ok := stash["image"]; ok {
		hub.Spec.Image = image
	}
	kept := map[string]string{}
	if g.Spec.Tier != "" {
		kept["tier"] = g.Spec.Tier
	}
	return putStash(&hub.ObjectMeta, kept)
}

// ConvertFrom converts the hub (v1) to this v1alpha1 Gadget.
func (g *GadgetAlpha) ConvertFrom(src conversion.Hub) error {
	hub := src.(*Gadget)
	hub.ObjectMeta.DeepCopyInto(&g.ObjectMeta)
	stash := takeStash(&g.ObjectMeta)
	g.Spec.Size = hub.Spec.Replicas
	g.Spec.Tier = stash["tier"]
	return putStash(&g.ObjectMeta, map[string]string{"image": hub.Spec.Image})
}

type gadgetValidator struct{}

func (gadgetValidator) check(g *Gadget) (admission.Warnings, error) {
	if g.Spec.Replicas > maxReplicas {
		return nil, fmt.Errorf("spec.replicas may be at most %d, not %d", maxReplicas, g.Spec.Replicas)
	}
	return nil, nil
}

func (v gadgetValidator) ValidateCreate(_ context.Context, g *Gadget) (admission.Warnings, error) {
	return v.check(g)
}

func (v gadgetValidator) ValidateUpdate(_ context.Context, _, g *Gadget) (admission.Warnings, error) {
	return v.check(g)
}

func (gadgetValidator) ValidateDelete(context.Context, *Gadget) (admission.Warnings, error) {
	return nil, nil
}

func runWebhook(o options) error {
	scheme := runtime.NewScheme()
	// Both Go types are kind Gadget (AddKnownTypes would name the spoke after its Go type).
	scheme.AddKnownTypeWithName(schema.GroupVersion{Group: gadgetGroup, Version: "v1"}.WithKind("Gadget"), &Gadget{})
	scheme.AddKnownTypeWithName(schema.GroupVersion{Group: gadgetGroup, Version: "v1alpha1"}.WithKind("Gadget"), &GadgetAlpha{})

	server := webhook.NewServer(webhook.Options{Host: "127.0.0.1", Port: o.port, CertDir: o.certDir})
	server.Register("/validate", admission.WithValidator[*Gadget](scheme, gadgetValidator{}))
	server.Register("/convert", whconversion.NewWebhookHandler(scheme, whconversion.NewRegistry()))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	failed := make(chan error, 1)
	go func() { failed <- server.Start(ctx) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(o.port))
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			break
		}
		select {
		case err := <-failed:
			return fmt.Errorf("webhook server stopped before serving: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	emit(map[string]any{"ready": true, "pid": os.Getpid()})
	// Runs until the benchmark closes stdin.
	_, _ = io.Copy(io.Discard, os.Stdin)
	cancel()
	return <-failed
}
