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
	"os"
	"strconv"
	"sync"
)

var shared struct {
	mu    sync.Mutex
	count int64 // mu
}

func main() {
	n := int64(20000000)
	g := int64(2)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	if len(os.Args) > 2 {
		var err error
		if g, err = strconv.ParseInt(os.Args[2], 10, 64); err != nil || g < 1 {
			fmt.Fprintln(os.Stderr, "usage: mutex_contended [N [GOROUTINES]]")
			os.Exit(1)
		}
	}
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
	fmt.Printf("mutex_contended goroutines=%d n=%d checksum=%d\n", g, n, sum)
	if sum != n {
		fmt.Fprintf(os.Stderr, "mutex_contended: checksum %d, want %d\n", sum, n)
		os.Exit(1)
	}
}
