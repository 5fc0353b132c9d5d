// mutex_uncontended: lock and unlock a mutex nobody else wants.
//
// Main does n rounds of Lock; count++; Unlock on one sync.Mutex that no other
// goroutine touches, so every Lock and Unlock takes the fast path (one atomic
// each). Mirrors bench/c/mutex_uncontended.c.
//
// Prints checksum = the count = n.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

type guarded struct {
	mu    sync.Mutex
	count int64 // mu
}

func main() {
	n := int64(50000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	g := &guarded{}
	for i := int64(0); i < n; i++ {
		g.mu.Lock()
		g.count++
		g.mu.Unlock()
	}
	sum := g.count
	fmt.Printf("mutex_uncontended n=%d checksum=%d\n", n, sum)
	if sum != n {
		fmt.Fprintf(os.Stderr, "mutex_uncontended: checksum %d, want %d\n", sum, n)
		os.Exit(1)
	}
}
