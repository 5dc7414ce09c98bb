package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStatus reads a "VmXxx:  123 kB" line of /proc/self/status, in bytes.
func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, field+":") {
			parts := strings.Fields(line[len(field)+1:])
			if len(parts) > 0 {
				n, _ := strconv.ParseUint(parts[0], 10, 64)
				return n * 1024
			}
		}
	}
	return 0
}

func rss() uint64 { return procStatus("VmRSS") }

// settledHeap collects garbage a few times and returns the live heap (HeapAlloc) and HeapInuse.
func settledHeap() (alloc, inuse uint64) {
	for i := 0; i < 3; i++ {
		runtime.GC()
	}
	time.Sleep(200 * time.Millisecond)
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.HeapInuse
}

// peakSampler records the highest heap (objects) and RSS seen every 2 ms until stopped.
type peakSampler struct {
	mu        sync.Mutex
	heap, rss uint64
	stop      chan struct{}
	done      chan struct{}
}

func startPeakSampler() *peakSampler {
	p := &peakSampler{stop: make(chan struct{}), done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(p.done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			h := samples[0].Value.Uint64()
			r := rss()
			p.mu.Lock()
			p.heap = max(p.heap, h)
			p.rss = max(p.rss, r)
			p.mu.Unlock()
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakSampler) finish() (heap, rss uint64) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.heap, p.rss
}
