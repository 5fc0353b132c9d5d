// spawn: start n goroutines and join them.
//
// Goroutine i sends i on a buffered channel of capacity n (so it never
// blocks) and ends; the spawner then receives n values and sums them. goc has
// no WaitGroup yet, so both sides join through the channel. Measures goroutine
// creation, first run, exit and stack reuse. Mirrors bench/c/spawn.c.
//
// Prints checksum = n(n-1)/2.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := int64(1000000)
	if len(os.Args) > 1 {
		n, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
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
	want := n * (n - 1) / 2
	fmt.Printf("spawn n=%d checksum=%d\n", n, sum)
	if sum != want {
		fmt.Fprintf(os.Stderr, "spawn: checksum %d, want %d\n", sum, want)
		os.Exit(1)
	}
}
