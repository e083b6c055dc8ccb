# make fuzz: build the libFuzzer targets of fuzz/ (a package of their own)
# and run each for FUZZ_SECONDS on a temporary copy of fuzz/corpus/<target>.
# Fails when a target crashes; the input is kept in $(FUZZ_SCRATCH)/findings.
#   make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="fuzz-http fuzz-config"
#   make fuzz FUZZ_MERGE=1          (fold new inputs back into fuzz/corpus)
#   EC2NET_FUZZ_SKIP=config-crlf make fuzz   (keep going past a known bug)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= fuzz-http fuzz-metadata fuzz-config fuzz-map fuzz-match fuzz-netlink
FUZZ_SCRATCH ?= .build-fuzz
FUZZ_CONFIG ?= release
FUZZ_LIBFUZZER_FLAGS ?=
FUZZ_MERGE ?=

.PHONY: fuzz fuzz-build

fuzz-build:
	$(SWIFT) build -c $(FUZZ_CONFIG) --package-path fuzz --scratch-path $(FUZZ_SCRATCH) \
		--sanitize=fuzzer -Xswiftc -parse-as-library

fuzz: fuzz-build
	$(PYTHON) fuzz/run.py --bin $(FUZZ_SCRATCH)/$(FUZZ_CONFIG) --scratch $(FUZZ_SCRATCH)/runs \
		--seconds $(FUZZ_SECONDS) --targets "$(FUZZ_TARGETS)" \
		--libfuzzer "$(FUZZ_LIBFUZZER_FLAGS)" $(if $(FUZZ_MERGE),--merge)
