// The Go half of goc's benchmarks (see ../README.md). No dependencies, so it
// builds offline: go build -o OUTDIR/ ./...
module goc.bench

go 1.19
