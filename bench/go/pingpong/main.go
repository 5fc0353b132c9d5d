// pingpong: unbuffered round trips between two goroutines.
//
// The pinger sends i on the unbuffered channel ping; the ponger receives it and
// sends i+1 back on the unbuffered channel pong. Each round trip is two
// rendezvous hand-offs and two goroutine switches. Mirrors bench/c/pingpong.c.
//
// Prints checksum = sum of the replies = n(n+1)/2.
package main

import "goc.bench/internal/bench"

func main() {
	n := bench.N(1000000)
	ping := make(chan int64)
	pong := make(chan int64)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
	}()
	var sum int64
	for i := int64(0); i < n; i++ {
		ping <- i
		sum += <-pong
	}
	close(ping)
	bench.Check("pingpong", n, sum, n*(n+1)/2)
}
