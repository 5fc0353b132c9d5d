// blocked: n goroutines parked at once on one channel, then all released.
//
// Goroutine i signals on `ready` (buffered, capacity n) and then blocks
// receiving from `gate`. Once main has n ready signals every goroutine is
// alive, and it closes `gate`, which wakes them all; each then sends i on
// `done` (buffered, capacity n) and ends, and main sums the n values. Measured
// mainly for peak RSS: the memory cost of n live, blocked goroutines.
// Mirrors bench/c/blocked.c.
//
// Prints checksum = n(n-1)/2.
package main

import "goc.bench/internal/bench"

func main() {
	n := bench.N(1000000)
	ready := make(chan struct{}, n)
	gate := make(chan struct{})
	done := make(chan int64, n)
	for i := int64(0); i < n; i++ {
		go func(i int64) {
			ready <- struct{}{}
			<-gate
			done <- i
		}(i)
	}
	for i := int64(0); i < n; i++ {
		<-ready
	}
	close(gate)
	var sum int64
	for i := int64(0); i < n; i++ {
		sum += <-done
	}
	bench.Check("blocked", n, sum, n*(n-1)/2)
}
