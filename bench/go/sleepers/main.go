// sleepers: many goroutines sleeping in short naps.
//
// n goroutines (10,000) each sleep 1 ms, `naps` times (100), then send the
// number of naps taken on a buffered channel; main sums them. The ideal wall
// time is naps ms (0.1 s); the rest is timer insertion, expiry and wake-up
// cost with n timers pending. Mirrors bench/c/sleepers.c.
//
// Prints checksum = n * naps.
package main

import (
	"time"

	"goc.bench/internal/bench"
)

const naps = 100

func main() {
	n := bench.N(10000)
	done := make(chan int64, n)
	for i := int64(0); i < n; i++ {
		go func() {
			var k int64
			for ; k < naps; k++ {
				time.Sleep(time.Millisecond)
			}
			done <- k
		}()
	}
	var sum int64
	for i := int64(0); i < n; i++ {
		sum += <-done
	}
	bench.Check("sleepers", n, sum, n*naps)
}
