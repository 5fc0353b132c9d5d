// Package bench is what the Go benchmarks share, as bench/c/bench.h is for
// the C ones: reading the size from the command line and printing and
// checking the checksum line that bench/compare.sh reads.
package bench

import (
	"fmt"
	"os"
	"strconv"
)

// Arg returns os.Args[i] as an integer of at least min, or def when there
// is no such argument; anything else exits 1 with a usage line.
func Arg(i int, def, min int64) int64 {
	if len(os.Args) <= i {
		return def
	}
	v, err := strconv.ParseInt(os.Args[i], 10, 64)
	if err != nil || v < min {
		fmt.Fprintf(os.Stderr, "%s: argument %d must be an integer >= %d, got %q\n",
			os.Args[0], i, min, os.Args[i])
		os.Exit(1)
	}
	return v
}

// N returns the problem size: os.Args[1], or def without one.
func N(def int64) int64 {
	return Arg(1, def, 0)
}

// Check prints "<name> n=<n> checksum=<sum>" and exits 1 if sum != want.
func Check(name string, n, sum, want int64) {
	fmt.Printf("%s n=%d checksum=%d\n", name, n, sum)
	if sum != want {
		fmt.Fprintf(os.Stderr, "%s: checksum %d, want %d\n", name, sum, want)
		os.Exit(1)
	}
}
