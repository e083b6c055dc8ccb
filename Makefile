# ec2net: build, test, demo. `make help` lists the targets.
# The first two commands of the README:
#   make demo   a simulated EC2 instance configured end to end (root)
#   make test   the whole test suite (root: the e2e part uses namespaces)

SWIFT ?= swift
PYTHON ?= python3
# ARCH=aarch64 builds and tests for another architecture (arch.mk).
include arch.mk
# The release build is the Embedded Swift one (embedded.mk); the SwiftPM
# release build stays as a fallback (release-swiftpm, .build/release).
# Another architecture's goes beside it (.build/embedded-musl-aarch64).
RELEASE_DIR := .build/embedded-musl$(if $(ARCH_CROSS),-$(ARCH))
NATIVE_RELEASE_DIR := .build/embedded-musl
SWIFTPM_RELEASE_DIR := .build/release
DEBUG_DIR := .build/debug

# Debian packages the build and the tests need.
APT_PACKAGES := musl-tools udev systemd dbus dnsmasq-base iproute2 iputils-ping util-linux nftables python3-pytest time binutils

# What a build for another architecture needs besides the above (from
# Debian's ARCH_DEB architecture, dpkg --add-architecture): the cross
# toolchain, musl for it, and qemu-user to run its programs in the tests.
CROSS_APT_PACKAGES := crossbuild-essential-$(ARCH_DEB) musl-dev:$(ARCH_DEB) qemu-user-static file
CROSS_RUNNER := qemu-$(ARCH)-static

# What the VM suite (Tests/vm) needs besides the above.
VM_APT_PACKAGES := qemu-system-x86 qemu-utils ipxe-qemu seabios mmdebstrap e2fsprogs dnsmasq-base iproute2 util-linux python3-pytest

.PHONY: help deps vm-deps cross-deps build release release-swiftpm budgets test unit integration e2e vm-test demo size fuzz bench clean image cross-test

help:
	@echo "make demo      simulated instance: 3 ENIs at boot, a 4th hot-plugged, rules and routes printed"
	@echo "make test      swift test + mock/integration/e2e/packaging suites (needs root)"
	@echo "make release   the Embedded Swift build (embedded.mk) into .build/embedded-musl (static, musl) + the four names as hard links"
	@echo "make release-swiftpm  swift build -c release --static-swift-stdlib into .build/release (fallback)"
	@echo "make release ARCH=aarch64   the same for aarch64 (cross) into .build/embedded-musl-aarch64"
	@echo "make cross-test ARCH=aarch64  that build under qemu-user: budgets, integration, differential"
	@echo "make size      installed size of the four names"
	@echo "make budgets   size, shared libraries and peak RSS of the release build against the budgets"
	@echo "make vm-test   the .deb on a real Debian 12 VM (QEMU, systemd as PID 1): install, boot, hot-plug (root)"
	@echo "make deb|rpm   packages into out/"
	@echo "make image     shell-free Debian 12 disk with the .deb baked in: out/image (root)"
	@echo "make fuzz      libFuzzer targets for FUZZ_SECONDS each"
	@echo "make bench     benchmarks into bench/README.md"

# Installs only what is missing; apt-get update only when something is.
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q ' installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

vm-deps:
	@missing=$$(for p in $(VM_APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q ' installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

cross-deps:
	@missing=$$(for p in $(CROSS_APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q ' installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		dpkg --add-architecture $(ARCH_DEB) && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build
	$(PYTHON) Scripts/link-names $(DEBUG_DIR)

release: deps $(if $(ARCH_CROSS),cross-deps)
	$(MAKE) -f embedded.mk embedded-musl EMBEDDED_MUSL_DIR=$(RELEASE_DIR)

release-swiftpm: deps
	$(SWIFT) build -c release --static-swift-stdlib
	$(PYTHON) Scripts/link-names $(SWIFTPM_RELEASE_DIR)

size: release
	@$(PYTHON) Scripts/report-size $(RELEASE_DIR)

# Issue 17's budgets on the built artifacts (not timings): <= 1 MB for the
# four names, no shared library but libc/libm (the release build has none),
# peak RSS <= 2 MiB per program.
budgets: release
	EC2NET_BUILD_DIR=$(RELEASE_DIR) $(PYTHON) -m pytest -q Tests/packaging/test_budgets.py

unit: deps
	$(SWIFT) test

# The real release binaries against a temporary root and the mock IMDS.
integration: release
	EC2NET_BUILD_DIR=$(RELEASE_DIR) $(PYTHON) -m pytest -q Tests/support Tests/integration

e2e: release
	EC2NET_BUILD_DIR=$(RELEASE_DIR) $(PYTHON) -m pytest -q --durations=0 Tests/e2e

test: unit integration e2e budgets packaging-check

# The package of `make deb` on a QEMU guest (Tests/vm/README.md). The guest
# image is built on first use and cached in /var/cache/ec2net-vm.
# The RPM too: test_rpm.py installs it with rpm in a shell-free guest.
vm-test: vm-deps deb rpm
	$(PYTHON) -m pytest -v -s --durations=0 Tests/vm

# Another architecture's release build (ARCH=aarch64 on x86_64) under
# qemu-user (issue 24): the budgets (the guest's RSS), the integration suite,
# and the differential against this machine's build (same inputs, same bytes
# and logs). No binfmt_misc needed: the harness runs each program under
# EC2NET_RUNNER.
cross-test: release
	@test -n "$(ARCH_CROSS)" || { echo "cross-test: ARCH=aarch64 (not this machine's $(ARCH_NATIVE))"; exit 1; }
	$(MAKE) release ARCH=$(ARCH_NATIVE)
	EC2NET_BUILD_DIR=$(RELEASE_DIR) EC2NET_RUNNER=$(CROSS_RUNNER) EC2NET_NATIVE_BUILD_DIR=$(NATIVE_RELEASE_DIR) \
		$(PYTHON) -m pytest -q -s Tests/packaging/test_budgets.py
	EC2NET_BUILD_DIR=$(RELEASE_DIR) EC2NET_RUNNER=$(CROSS_RUNNER) \
		$(PYTHON) -m pytest -q Tests/support Tests/integration
	EC2NET_BUILD_DIR=$(NATIVE_RELEASE_DIR) EC2NET_CROSS_BUILD_DIR=$(RELEASE_DIR) EC2NET_CROSS_RUNNER=$(CROSS_RUNNER) \
		$(PYTHON) -m pytest -q -s Tests/packaging/test_cross_arch.py

# The product image of README "Image": the VM suite's recipe, the .deb
# installed at build time, no shell (Tests/vm/vm/image.py).
image: vm-deps deb
	$(PYTHON) Tests/vm/vm/image.py --deb $$(ls -t out/ec2net_*.deb | head -n 1) --out out/image

demo: release
	EC2NET_BUILD_DIR=$(RELEASE_DIR) $(PYTHON) Tests/e2e/demo.py

clean:
	rm -rf .build out

-include packaging.mk
-include fuzz/fuzz.mk
-include bench/bench.mk
