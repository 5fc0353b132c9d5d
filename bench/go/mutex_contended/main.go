// mutex_contended: g goroutines take turns on one mutex.
//
// Main starts g goroutines (os.Args[2], default 2) and waits for them on a
// sync.WaitGroup. Goroutine k does its share of n rounds (n/g, the first n%g
// one more) of Lock; count++; Unlock on the same sync.Mutex, so the total
// work is n whatever g is. Mirrors bench/c/mutex_contended.c.
//
// Usage: mutex_contended [N [G]]. Prints checksum = the count = n.
package main

import (
	"fmt"
	"sync"

	"goc.bench/internal/bench"
)

var shared struct {
	mu    sync.Mutex
	count int64 // mu
}

func main() {
	n := bench.N(20000000)
	g := bench.Arg(2, 2, 1)
	var wg sync.WaitGroup
	wg.Add(int(g))
	for k := int64(0); k < g; k++ {
		share := n / g
		if k < n%g {
			share++
		}
		go func(share int64) {
			for i := int64(0); i < share; i++ {
				shared.mu.Lock()
				shared.count++
				shared.mu.Unlock()
			}
			wg.Done()
		}(share)
	}
	wg.Wait()
	shared.mu.Lock()
	sum := shared.count
	shared.mu.Unlock()
	bench.Check(fmt.Sprintf("mutex_contended goroutines=%d", g), n, sum, n)
}
