// skynet: the classic skynet benchmark (github.com/atemerev/skynet).
//
// A 10-ary tree of goroutines with n leaves (1,111,111 goroutines for
// n = 1,000,000): each inner node makes an unbuffered channel, spawns ten
// children over its range of numbers, receives their ten sums and sends the
// total to its parent; each leaf sends its own number. Measures spawn, exit
// and unbuffered hand-off with up to n goroutines alive. Mirrors
// bench/c/skynet.c.
//
// Prints checksum = sum of 0..n-1 (499999500000 for n = 1,000,000).
package main

import "goc.bench/internal/bench"

const div = 10

func skynet(out chan<- int64, num, size int64) {
	if size == 1 {
		out <- num
		return
	}
	rc := make(chan int64)
	sub := size / div
	for i := int64(0); i < div; i++ {
		go skynet(rc, num+i*sub, sub)
	}
	var sum int64
	for i := 0; i < div; i++ {
		sum += <-rc
	}
	out <- sum
}

func main() {
	n := bench.N(1000000) // must be a power of div
	c := make(chan int64)
	go skynet(c, 0, n)
	sum := <-c
	bench.Check("skynet", n, sum, n*(n-1)/2)
}
