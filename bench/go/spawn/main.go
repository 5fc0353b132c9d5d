// spawn: start n goroutines and join them.
//
// Goroutine i sends i on a buffered channel of capacity n (so it never
// blocks) and ends; the spawner then receives n values and sums them. goc has
// no WaitGroup yet, so both sides join through the channel. Measures goroutine
// creation, first run, exit and stack reuse. Mirrors bench/c/spawn.c.
//
// Prints checksum = n(n-1)/2.
package main

import "goc.bench/internal/bench"

func main() {
	n := bench.N(1000000)
	done := make(chan int64, n)
	for i := int64(0); i < n; i++ {
		go func(i int64) {
			done <- i
		}(i)
	}
	var sum int64
	for i := int64(0); i < n; i++ {
		sum += <-done
	}
	bench.Check("spawn", n, sum, n*(n-1)/2)
}
