// prodcons: one producer, one consumer, a buffered channel of capacity 100.
//
// The producer sends the int64 values 0..n-1 and closes the channel; the
// consumer receives until the channel is closed and sums them. Measures the
// buffered fast path and the cost of waking a parked partner when the buffer
// runs full or empty. Mirrors bench/c/prodcons.c.
//
// Prints checksum = n(n-1)/2.
package main

import "goc.bench/internal/bench"

func main() {
	n := bench.N(5000000)
	c := make(chan int64, 100)
	go func() {
		for i := int64(0); i < n; i++ {
			c <- i
		}
		close(c)
	}()
	var sum int64
	for v := range c {
		sum += v
	}
	bench.Check("prodcons", n, sum, n*(n-1)/2)
}
