// pingpong: unbuffered round trips between two goroutines.
//
// The pinger sends i on the unbuffered channel ping; the ponger receives it and
// sends i+1 back on the unbuffered channel pong. Each round trip is two
// rendezvous hand-offs and two goroutine switches. Mirrors bench/c/pingpong.c.
//
// Prints checksum = sum of the replies = n(n+1)/2.
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
	want := n * (n + 1) / 2
	fmt.Printf("pingpong n=%d checksum=%d\n", n, sum)
	if sum != want {
		fmt.Fprintf(os.Stderr, "pingpong: checksum %d, want %d\n", sum, want)
		os.Exit(1)
	}
}
