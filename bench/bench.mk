# make bench: builds the release binaries and measures them against the mock
# IMDS on loopback (bench/run.py: hyperfine, GNU time, /_control/stats),
# writing the table to bench/README.md. Not part of `make test`: timings are
# only reported, never asserted.
#   make bench                     full run (a few minutes)
#   make bench BENCH_FLAGS=--quick fewer runs, a smoke test of the script
#                                  (no side-by-side with amazon-ec2-net-utils)
#   make bench BENCH_FLAGS=--no-upstream  the simulated instance with ec2net only
# The side-by-side (bench/side_by_side.py) needs root and takes /tmp/ec2net-e2e.lock.
BENCH_FLAGS ?=

.PHONY: bench

bench: deps
	$(PYTHON) bench/run.py $(BENCH_FLAGS)
