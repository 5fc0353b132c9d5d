// select2: uncontended select over two ready channels.
//
// Two buffered channels of capacity 1 each hold one value. One goroutine
// selects a receive from either (both are always ready, so select picks one at
// random), then puts the value back into the channel it came from, so both
// are ready again. No other goroutine touches them: this is the cost of
// select's fast path (lock both channels, pick, copy) plus one buffered send.
// Mirrors bench/c/select2.c.
//
// Prints checksum = number of selects (n); fails if either case was never
// chosen.
package main

import (
	"fmt"
	"os"

	"goc.bench/internal/bench"
)

func main() {
	n := bench.N(2000000)
	a := make(chan int64, 1)
	b := make(chan int64, 1)
	a <- 1
	b <- 2
	var na, nb int64
	for i := int64(0); i < n; i++ {
		select {
		case v := <-a:
			na++
			a <- v
		case v := <-b:
			nb++
			b <- v
		}
	}
	fmt.Printf("select2 n=%d a=%d b=%d checksum=%d\n", n, na, nb, na+nb)
	if na+nb != n || (n >= 100 && (na == 0 || nb == 0)) {
		fmt.Fprintf(os.Stderr, "select2: a=%d b=%d, want a+b=%d and both > 0\n", na, nb, n)
		os.Exit(1)
	}
}
