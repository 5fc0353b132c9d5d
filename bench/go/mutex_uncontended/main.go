// mutex_uncontended: lock and unlock a mutex nobody else wants.
//
// Main does n rounds of Lock; count++; Unlock on one sync.Mutex that no other
// goroutine touches, so every Lock and Unlock takes the fast path (one atomic
// each). Mirrors bench/c/mutex_uncontended.c.
//
// Prints checksum = the count = n.
package main

import (
	"sync"

	"goc.bench/internal/bench"
)

type guarded struct {
	mu    sync.Mutex
	count int64 // mu
}

func main() {
	n := bench.N(50000000)
	g := &guarded{}
	for i := int64(0); i < n; i++ {
		g.mu.Lock()
		g.count++
		g.mu.Unlock()
	}
	bench.Check("mutex_uncontended", n, g.count, n)
}
