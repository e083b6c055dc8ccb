# make fuzz: build the libFuzzer targets of fuzz/ (a package of their own)
# and run each for FUZZ_SECONDS on a temporary copy of fuzz/corpus/<target>.
# Fails when a target crashes; the input is kept in $(FUZZ_SCRATCH)/findings.
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="fuzz-http fuzz-config"
#   make fuzz FUZZ_MERGE=1          (fold new inputs back into fuzz/corpus)
#   EC2NET_FUZZ_SKIP=config-crlf make fuzz   (keep going past a known bug)
#   make fuzz-smoke                 (CI: build every target, FUZZ_SMOKE_SECONDS each)
#   make fuzz FUZZ_SECONDS=0 FUZZ_RUNS=10000000   (the long run: 10M executions each)
# The targets are the directories fuzz/Sources/fuzz-* (Package.swift and
# run.py find them the same way): adding one is adding its directory.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_TARGETS ?= $(sort $(notdir $(wildcard fuzz/Sources/fuzz-*)))
FUZZ_SCRATCH ?= .build-fuzz
FUZZ_CONFIG ?= release
FUZZ_LIBFUZZER_FLAGS ?=
FUZZ_MERGE ?=
FUZZ_RUNS ?= 0
# The smoke run starts from one seed, so a CI failure replays: the long run
# (`make fuzz`) is where new inputs are looked for.
FUZZ_SMOKE_LIBFUZZER_FLAGS ?= -seed=1 $(FUZZ_LIBFUZZER_FLAGS)

.PHONY: fuzz fuzz-build fuzz-smoke

# --manifest-cache none: fuzz/Package.swift lists the directories
# Sources/fuzz-*, and SwiftPM's shared manifest cache is keyed on the
# manifest's text, not on that listing. A cached evaluation from before a
# target was added builds every target but the new one (CI: "fuzz-udev: not
# built" from a fresh clone).
fuzz-build:
	$(SWIFT) build -c $(FUZZ_CONFIG) --package-path fuzz --scratch-path $(FUZZ_SCRATCH) \
		--manifest-cache none --sanitize=fuzzer -Xswiftc -parse-as-library

fuzz: fuzz-build
	$(PYTHON) fuzz/run.py --bin $(FUZZ_SCRATCH)/$(FUZZ_CONFIG) --scratch $(FUZZ_SCRATCH)/runs \
		--seconds $(FUZZ_SECONDS) --runs $(FUZZ_RUNS) --targets "$(FUZZ_TARGETS)" \
		--libfuzzer "$(FUZZ_LIBFUZZER_FLAGS)" $(if $(FUZZ_MERGE),--merge)

# CI (.ci/run): every target built and run briefly, so a change that breaks
# a target's build or makes one crash fails CI. The long run is `make fuzz`
# with a larger FUZZ_SECONDS (fuzz/README.md).
fuzz-smoke: fuzz-build
	$(PYTHON) fuzz/run.py --bin $(FUZZ_SCRATCH)/$(FUZZ_CONFIG) --scratch $(FUZZ_SCRATCH)/runs \
		--seconds $(FUZZ_SMOKE_SECONDS) --targets "$(FUZZ_TARGETS)" --libfuzzer "$(FUZZ_SMOKE_LIBFUZZER_FLAGS)"
