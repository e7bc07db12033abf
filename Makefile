# Entry points that are not the package manager's: the benchmark (see BENCHMARKS.md).
.PHONY: bench bench-tiny

# The full benchmark: about ten minutes on two cores; writes its table into BENCHMARKS.md.
bench:
	bash scripts/bench.sh --size full

# The same steps on a tiny export, in seconds, as CI runs them; records nothing.
bench-tiny:
	bash scripts/bench.sh --size tiny
