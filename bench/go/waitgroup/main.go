// waitgroup: fan out n goroutines and join them with a WaitGroup.
//
// Each of rounds rounds: for each of n children, wg.Add(1) then start the
// child, which marks its slot in ran and calls Done; then Wait, and sum (and
// clear) ran — the marks are the children's writes that Wait must make
// visible. Measures Add/Done/Wait on one shared counter under n goroutines,
// and goroutine creation and exit. Mirrors bench/c/waitgroup.c.
//
// Usage: waitgroup [N]. Prints checksum = rounds * n.
package main

import (
	"sync"

	"goc.bench/internal/bench"
)

const rounds = 10

func main() {
	n := bench.N(100000)
	var wg sync.WaitGroup
	ran := make([]byte, n+1) // slot i written by child i only
	var sum int64
	for r := 0; r < rounds; r++ {
		for i := int64(0); i < n; i++ {
			wg.Add(1)
			go func(i int64) {
				ran[i] = 1
				wg.Done()
			}(i)
		}
		wg.Wait()
		for i := int64(0); i < n; i++ {
			sum += int64(ran[i])
			ran[i] = 0
		}
	}
	bench.Check("waitgroup", n, sum, rounds*n)
}
