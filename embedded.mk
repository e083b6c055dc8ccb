# The release build in Embedded Swift (issue 17): `make release` (included
# by the main Makefile), debian/rules and spec/ec2net.spec. No SwiftPM:
# swiftc compiles each module whole (-wmo) in Embedded mode (no Swift
# runtime), then one executable is linked with --gc-sections over
# per-function sections, stripped. The four names are hard links to it
# (Scripts/link-names).
#
#   make -f embedded.mk embedded-musl   .build/embedded-musl/{ec2net,ec2-*}: THE release
#                                       build, fully static against musl (Debian's
#                                       musl-tools); no shared library at all
#   make -f embedded.mk embedded        .build/embedded/{ec2net,ec2-*}: the same
#                                       code linked dynamically against glibc (libc
#                                       only), for comparison (README "Size and memory")
#   EMBEDDED_LDFLAGS="-Xlinker ..."     extra link flags for the glibc build
#   ARCH=aarch64                        the musl build for another architecture
#                                       (cross: .build/embedded-musl-aarch64; the
#                                       glibc comparison build is this machine's only)
#
# The same sources build with SwiftPM in the normal mode for `swift test`,
# the fuzzers, and as a fallback (`make release-swiftpm`).

EMBEDDED_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

# ARCH (x86_64, aarch64; arch.mk): this machine's unless the build system
# or the command line names another.
include $(dir $(lastword $(MAKEFILE_LIST)))arch.mk

SWIFTC ?= swiftc
PYTHON ?= python3
EMBEDDED_DIR ?= .build/embedded
# A foreign architecture's objects never share a directory with this
# machine's (make release ARCH=aarch64: .build/embedded-musl-aarch64).
EMBEDDED_MUSL_DIR ?= .build/embedded-musl$(if $(ARCH_CROSS),-$(ARCH))
EMBEDDED_STDLIB := $(dir $(shell command -v $(SWIFTC)))../lib/swift/embedded
# The Embedded standard library for ARCH. Linux on AArch64 is built through
# the bare-metal triple: this toolchain (6.3.1) ships an Embedded stdlib for
# x86_64-unknown-linux-gnu but for AArch64 only aarch64-none-none-elf. That
# is sound because the Embedded stdlib is the same code for every triple and
# needs nothing of the OS (no runtime, no TLS; it calls only the C functions
# the program provides: malloc, free, putchar, arc4random_buf, ...); the
# objects are ELF AArch64 with the AAPCS64 LP64 C ABI that Linux uses too
# (same data layout, long and pointers 64-bit, unsigned char and wchar_t,
# same struct layout and variadic convention: `clang -dM -E` of the two
# triples differs only in __linux__/__unix__, __PIC__/__PIE__,
# __WINT_TYPE__ (musl defines wint_t itself) and __NO_MATH_ERRNO__, and
# shim.h with musl's and the kernel's headers preprocesses to the same bytes
# for both: Tests/packaging/test_cross_arch.py); the C declarations
# are musl's for aarch64, and the link is aarch64 musl-gcc -static, which
# supplies the Linux start files and libc. Where a toolchain ships
# <arch>-unknown-linux-gnu, that is used instead, as for x86_64.
EMBEDDED_TRIPLE := $(if $(wildcard $(EMBEDDED_STDLIB)/Swift.swiftmodule/$(ARCH)-unknown-linux-gnu.swiftmodule),$(ARCH)-unknown-linux-gnu,$(ARCH)-none-none-elf)
EMBEDDED_LIB := $(EMBEDDED_STDLIB)/$(EMBEDDED_TRIPLE)
EMBEDDED_LDFLAGS ?=

EMBEDDED_SWIFTFLAGS := -enable-experimental-feature Embedded -target $(EMBEDDED_TRIPLE) \
	-swift-version 6 -wmo -Osize -parse-as-library -Xfrontend -function-sections \
	-I Sources/CLinux
EMBEDDED_LINKFLAGS := -Xlinker --gc-sections -Xlinker --strip-all -Xlinker --build-id \
	$(EMBEDDED_LIB)/libswiftUnicodeDataTables.a

EMBEDDED_CORE := $(sort $(shell find Sources/EC2NetCore -name '*.swift'))
EMBEDDED_SYSTEM := $(sort $(shell find Sources/EC2NetSystem -name '*.swift'))
EMBEDDED_MAIN := $(sort $(shell find Sources/ec2net -name '*.swift' ! -name main.swift))
EMBEDDED_HEADERS := Sources/CLinux/module.modulemap Sources/CLinux/shim.h

.PHONY: embedded embedded-musl

embedded: $(EMBEDDED_DIR)/ec2net
	$(PYTHON) Scripts/link-names $(EMBEDDED_DIR)

embedded-musl: $(EMBEDDED_MUSL_DIR)/ec2net
	$(PYTHON) Scripts/link-names $(EMBEDDED_MUSL_DIR)

# The triple a directory's objects were built for, rewritten only when it
# changes, so that building another ARCH into the same directory rebuilds.
.PHONY: embedded-triple-check
define embedded_variant
$(1)/triple: embedded-triple-check
	@mkdir -p $(1)
	@echo $(EMBEDDED_TRIPLE) | cmp -s - $$@ || echo $(EMBEDDED_TRIPLE) > $$@

$(1)/EC2NetCore.o: $(EMBEDDED_CORE) $(EMBEDDED_HEADERS) embedded.mk arch.mk $(1)/triple
	@mkdir -p $(1)/modules
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) $(2) -I $(1)/modules -module-name EC2NetCore \
		-emit-module -emit-module-path $(1)/modules/EC2NetCore.swiftmodule \
		-c $(EMBEDDED_CORE) -o $$@
	@touch $$@

$(1)/EC2NetSystem.o: $(1)/EC2NetCore.o $(EMBEDDED_SYSTEM)
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) $(2) -I $(1)/modules -module-name EC2NetSystem \
		-emit-module -emit-module-path $(1)/modules/EC2NetSystem.swiftmodule \
		-c $(EMBEDDED_SYSTEM) -o $$@
	@touch $$@

$(1)/ec2net.o: $(1)/EC2NetSystem.o $(EMBEDDED_MAIN)
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) $(2) -I $(1)/modules -module-name ec2net \
		-c $(EMBEDDED_MAIN) -o $$@
	@touch $$@
endef

# glibc, dynamic: libc.so.6 only.
$(eval $(call embedded_variant,$(EMBEDDED_DIR),))

$(EMBEDDED_DIR)/ec2net: $(EMBEDDED_DIR)/EC2NetCore.o $(EMBEDDED_DIR)/EC2NetSystem.o $(EMBEDDED_DIR)/ec2net.o
	$(SWIFTC) -enable-experimental-feature Embedded -target $(EMBEDDED_TRIPLE) $^ \
		$(EMBEDDED_LINKFLAGS) $(EMBEDDED_LDFLAGS) -o $@

# musl, static. The C library's headers are musl's (the kernel's UAPI
# headers beside them, which musl does not ship), so the imported struct
# layouts and constants are the ones the program is linked with; the link
# is musl-gcc -static. Sources/CLinux/musl-compat.c adds the one function
# the Embedded standard library needs that musl 1.2.3 lacks;
# Sources/CLinux/embedded-bridge-retain.c replaces the library's
# swift_bridgeObjectRetain, which breaks the compiler's contract that it
# returns its argument (it masks a small String's discriminator away: the
# aarch64 segfault of issue 24; fixed upstream after 6.3.1).
#
# musl-gcc for ARCH: Debian's musl-dev ships <arch>-linux-musl-gcc
# (musl-dev:arm64 for a cross build); elsewhere (Fedora's musl-gcc) the
# native wrapper. Its own include directory is asked from it, so the
# headers are those of the libc it links.
EMBEDDED_MUSL_CC ?= $(if $(or $(ARCH_CROSS),$(shell command -v $(ARCH)-linux-musl-gcc)),$(ARCH)-linux-musl-gcc,musl-gcc)
EMBEDDED_MUSL_LIBC_INCLUDE = $(patsubst %/stdio.h,%,$(firstword $(filter %/stdio.h,\
	$(shell printf '\043include <stdio.h>\n' | $(EMBEDDED_MUSL_CC) -xc -M - 2>/dev/null))))
# The kernel's UAPI headers for ARCH: linux/ and asm-generic/ are the same
# for every architecture, asm/ is not. Debian: the multiarch directory
# (linux-libc-dev, or linux-libc-dev:arm64), else the cross toolchain's
# (crossbuild-essential-arm64: linux-libc-dev-arm64-cross); natively
# without multiarch (Fedora), /usr/include/asm.
EMBEDDED_MULTIARCH ?= $(ARCH)-linux-gnu
EMBEDDED_UAPI_ASM := $(firstword $(wildcard /usr/include/$(EMBEDDED_MULTIARCH)/asm \
	/usr/$(EMBEDDED_MULTIARCH)/include/asm $(if $(ARCH_CROSS),,/usr/include/asm)))
EMBEDDED_UAPI_ROOT := $(if $(filter /usr/$(EMBEDDED_MULTIARCH)/include/asm,$(EMBEDDED_UAPI_ASM)),/usr/$(EMBEDDED_MULTIARCH)/include,/usr/include)
EMBEDDED_MUSL_INCLUDE := $(EMBEDDED_MUSL_DIR)/uapi
EMBEDDED_CLANG_INCLUDE := $(dir $(shell command -v $(SWIFTC)))../lib/swift/clang/include
# For the Linux triple musl's headers are the SDK (a sysroot whose
# usr/include is musl's): the compiler then finds its C library where it
# looks for one, so no "libc not found" warning, and no system directory
# of the build machine's glibc is searched. The bare-metal triple searches
# no system directory at all: -nostdinc with the same three directories.
EMBEDDED_MUSL_SYSROOT := $(EMBEDDED_MUSL_DIR)/sysroot
EMBEDDED_MUSL_FLAGS = $(if $(filter %-linux-gnu,$(EMBEDDED_TRIPLE)),\
	-sdk $(EMBEDDED_MUSL_SYSROOT) -Xcc -isystem -Xcc $(EMBEDDED_MUSL_INCLUDE),\
	-Xcc -nostdinc -Xcc -isystem -Xcc $(EMBEDDED_CLANG_INCLUDE) \
	-Xcc -isystem -Xcc $(EMBEDDED_MUSL_LIBC_INCLUDE) -Xcc -isystem -Xcc $(EMBEDDED_MUSL_INCLUDE))
# Objects of the bare-metal triple (AArch64 here) are linked by the
# toolchain's lld: binutils' ld (2.40) refuses their PC-relative references
# to the weak protected symbols the compiler emits for type metadata
# ("copy relocation against non-copyable protected symbol"), which lld
# resolves directly as it should in a static executable. gcc finds ld.lld in
# a directory that holds nothing else (-B); --no-dynamic-linker, or lld would
# keep musl-gcc's -dynamic-linker as a PT_INTERP of a static executable.
EMBEDDED_LLD_DIR := $(EMBEDDED_MUSL_DIR)/lld
EMBEDDED_LLD_FLAGS := -B $(EMBEDDED_LLD_DIR) -fuse-ld=lld -Wl,--no-dynamic-linker
EMBEDDED_MUSL_LINKER := $(if $(filter %-none-none-elf,$(EMBEDDED_TRIPLE)),$(EMBEDDED_LLD_FLAGS))

$(EMBEDDED_MUSL_INCLUDE)/links: $(EMBEDDED_MUSL_DIR)/triple
	@command -v $(EMBEDDED_MUSL_CC) >/dev/null || { echo "embedded-musl needs $(EMBEDDED_MUSL_CC):" \
		"apt-get install musl-tools$(if $(ARCH_CROSS), musl-dev:$(ARCH_DEB) crossbuild-essential-$(ARCH_DEB))"; exit 1; }
	@test -n "$(EMBEDDED_UAPI_ASM)" || { echo "embedded-musl: no kernel UAPI asm/ headers for $(ARCH)"; exit 1; }
	mkdir -p $(@D) $(EMBEDDED_LLD_DIR)
	ln -sfn $(EMBEDDED_UAPI_ROOT)/linux $(@D)/linux
	ln -sfn $(EMBEDDED_UAPI_ROOT)/asm-generic $(@D)/asm-generic
	ln -sfn $(EMBEDDED_UAPI_ASM) $(@D)/asm
	mkdir -p $(EMBEDDED_MUSL_SYSROOT)/usr
	ln -sfn $(EMBEDDED_MUSL_LIBC_INCLUDE) $(EMBEDDED_MUSL_SYSROOT)/usr/include
	ln -sfn $(dir $(shell command -v $(SWIFTC)))ld.lld $(EMBEDDED_LLD_DIR)/ld.lld
	@touch $@

$(EMBEDDED_MUSL_DIR)/EC2NetCore.o: | $(EMBEDDED_MUSL_INCLUDE)/links
$(eval $(call embedded_variant,$(EMBEDDED_MUSL_DIR),$(EMBEDDED_MUSL_FLAGS)))

$(EMBEDDED_MUSL_DIR)/ec2net: $(EMBEDDED_MUSL_DIR)/EC2NetCore.o $(EMBEDDED_MUSL_DIR)/EC2NetSystem.o \
		$(EMBEDDED_MUSL_DIR)/ec2net.o Sources/CLinux/musl-compat.c Sources/CLinux/embedded-bridge-retain.c
	$(EMBEDDED_MUSL_CC) -static $(EMBEDDED_MUSL_LINKER) -Os -ffunction-sections -Wl,--gc-sections \
		-Wl,--build-id=sha1 -s -o $@ \
		Sources/CLinux/musl-compat.c Sources/CLinux/embedded-bridge-retain.c $(filter %.o,$^) $(EMBEDDED_LIB)/libswiftUnicodeDataTables.a

.DEFAULT_GOAL := $(EMBEDDED_SAVED_DEFAULT_GOAL)
