// context_cancel: cancel a tree of contexts with a goroutine blocked on every
// node.
//
// Each of rounds rounds builds a 10-ary tree of n cancelable contexts (node 0
// is context.WithCancel(context.Background()), node i > 0 a child of node
// (i-1)/10: depth 3 for n = 1000), then starts one goroutine per node. Each
// goroutine signals ready (a WaitGroup) and blocks receiving from its node's
// Done channel; once all are ready main cancels node 0 and waits on observed
// (a second WaitGroup) until every goroutine has seen the close and checked
// that its node's Err is context.Canceled. Then it calls every cancel func,
// leaves first (C: goc_context_free). Mirrors bench/c/context_cancel.c.
//
// Usage: context_cancel [N]. Prints checksum = rounds * n.
package main

import (
	"context"
	"sync"

	"goc.bench/internal/bench"
)

const rounds = 300

func main() {
	n := bench.N(1000)
	nodes := make([]context.Context, n)
	cancels := make([]context.CancelFunc, n)
	seen := make([]byte, n) // slot i written by goroutine i only
	var ready, observed sync.WaitGroup
	var sum int64
	for r := 0; r < rounds; r++ {
		for i := int64(0); i < n; i++ {
			parent := context.Background()
			if i > 0 {
				parent = nodes[(i-1)/10]
			}
			nodes[i], cancels[i] = context.WithCancel(parent)
		}
		ready.Add(int(n))
		observed.Add(int(n))
		for i := int64(0); i < n; i++ {
			go func(i int64) {
				ready.Done()
				<-nodes[i].Done()
				if nodes[i].Err() == context.Canceled {
					seen[i] = 1
				} else {
					seen[i] = 0
				}
				observed.Done()
			}(i)
		}
		ready.Wait()
		cancels[0]()
		observed.Wait()
		for i := n - 1; i >= 0; i-- {
			sum += int64(seen[i])
			seen[i] = 0
			cancels[i]()
		}
	}
	bench.Check("context_cancel", n, sum, rounds*n)
}
