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
#
# The same sources build with SwiftPM in the normal mode for `swift test`,
# the fuzzers, and as a fallback (`make release-swiftpm`).

EMBEDDED_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SWIFTC ?= swiftc
PYTHON ?= python3
EMBEDDED_DIR ?= .build/embedded
EMBEDDED_MUSL_DIR ?= .build/embedded-musl
EMBEDDED_TRIPLE := $(shell uname -m)-unknown-linux-gnu
EMBEDDED_LIB := $(dir $(shell command -v $(SWIFTC)))../lib/swift/embedded/$(EMBEDDED_TRIPLE)
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

define embedded_variant
$(1)/EC2NetCore.o: $(EMBEDDED_CORE) $(EMBEDDED_HEADERS) embedded.mk
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
# headers from /usr/include, which musl does not ship), so the imported
# struct layouts and constants are the ones the program is linked with;
# the link is musl-gcc -static. Sources/CLinux/musl-compat.c adds the one
# function the Embedded standard library needs that musl 1.2.3 lacks.
EMBEDDED_MUSL_INCLUDE := $(EMBEDDED_MUSL_DIR)/uapi
EMBEDDED_CLANG_INCLUDE := $(dir $(shell command -v $(SWIFTC)))../lib/swift/clang/include
EMBEDDED_MUSL_FLAGS := -Xcc -nostdinc -Xcc -isystem -Xcc $(EMBEDDED_CLANG_INCLUDE) \
	-Xcc -isystem -Xcc /usr/include/x86_64-linux-musl -Xcc -isystem -Xcc $(EMBEDDED_MUSL_INCLUDE)

$(EMBEDDED_MUSL_INCLUDE):
	@command -v musl-gcc >/dev/null || { echo "embedded-musl needs musl-gcc: apt-get install musl-tools"; exit 1; }
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell uname -m)-linux-gnu/asm $@/asm

$(EMBEDDED_MUSL_DIR)/EC2NetCore.o: | $(EMBEDDED_MUSL_INCLUDE)
$(eval $(call embedded_variant,$(EMBEDDED_MUSL_DIR),$(EMBEDDED_MUSL_FLAGS)))

$(EMBEDDED_MUSL_DIR)/ec2net: $(EMBEDDED_MUSL_DIR)/EC2NetCore.o $(EMBEDDED_MUSL_DIR)/EC2NetSystem.o \
		$(EMBEDDED_MUSL_DIR)/ec2net.o Sources/CLinux/musl-compat.c
	musl-gcc -static -Os -ffunction-sections -Wl,--gc-sections -Wl,--build-id -s -o $@ \
		Sources/CLinux/musl-compat.c $(filter %.o,$^) $(EMBEDDED_LIB)/libswiftUnicodeDataTables.a

.DEFAULT_GOAL := $(EMBEDDED_SAVED_DEFAULT_GOAL)
