# The CPU architecture a build is for, shared by embedded.mk, packaging.mk
# and the Makefile (issue 24). Never spelled in a path: it comes from the
# build system (debian/rules passes DEB_HOST_GNU_CPU, spec/ec2net.spec
# %{_target_cpu}), from the command line (make release ARCH=aarch64), or it
# is this machine's (uname -m).
#
#   ARCH            x86_64 or aarch64 (Debian's amd64/arm64 are accepted)
#   ARCH_NATIVE     this machine's, uname -m
#   ARCH_CROSS      ARCH when it is not this machine's, else empty
#   ARCH_DEB        ARCH in Debian's spelling (amd64, arm64)

ARCH_NATIVE := $(shell uname -m)
ARCH ?= $(ARCH_NATIVE)
override ARCH := $(patsubst amd64,x86_64,$(patsubst arm64,aarch64,$(ARCH)))
ARCH_CROSS := $(filter-out $(ARCH_NATIVE),$(ARCH))
ARCH_DEB := $(patsubst x86_64,amd64,$(patsubst aarch64,arm64,$(ARCH)))
