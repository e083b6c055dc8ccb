# The release build in Embedded Swift (issue 17): `make release` (included
# by the main Makefile), debian/rules and spec/ec2net.spec
# (`make -f embedded.mk embedded`). No SwiftPM: swiftc compiles each module
# whole (-wmo) in Embedded mode, then links one executable against libc
# and libudev only (no Swift runtime, no libm, no libstdc++, no libgcc_s), with
# --gc-sections over per-function sections, stripped. The four names are
# hard links to it (Scripts/link-names), as in the SwiftPM build.
#
#   make -f embedded.mk embedded          .build/embedded/{ec2net,ec2-*}
#   make -f embedded.mk embedded-static   .build/embedded-static/ec2net: -static,
#                                         SysfsDevices instead of libudev
#   EMBEDDED_LDFLAGS="-Xlinker ..."       extra link flags (the packages' -z now)
#
# The same sources build with SwiftPM in the normal mode for `swift test`,
# the fuzzers, and as a fallback (`make release-swiftpm`).

EMBEDDED_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

SWIFTC ?= swiftc
PYTHON ?= python3
EMBEDDED_DIR ?= .build/embedded
EMBEDDED_STATIC_DIR ?= .build/embedded-static
EMBEDDED_TRIPLE := $(shell uname -m)-unknown-linux-gnu
# The Embedded standard library ships with the toolchain; only its Unicode
# tables (String comparison, Character) are a library to link.
EMBEDDED_LIB := $(dir $(shell command -v $(SWIFTC)))../lib/swift/embedded/$(EMBEDDED_TRIPLE)
EMBEDDED_LDFLAGS ?=

EMBEDDED_SWIFTFLAGS := -enable-experimental-feature Embedded -target $(EMBEDDED_TRIPLE) \
	-swift-version 6 -wmo -Osize -parse-as-library -Xfrontend -function-sections \
	-I Sources/CLinux -I Sources/CUdev
EMBEDDED_LINKFLAGS := -Xlinker --gc-sections -Xlinker --strip-all -Xlinker --build-id \
	$(EMBEDDED_LIB)/libswiftUnicodeDataTables.a

EMBEDDED_CORE := $(sort $(shell find Sources/EC2NetCore -name '*.swift'))
EMBEDDED_SYSTEM := $(sort $(shell find Sources/EC2NetSystem -name '*.swift'))
# main.swift is the normal build's entry point (CommandLine); the Embedded
# one is EmbeddedEntry.swift.
EMBEDDED_MAIN := $(sort $(shell find Sources/ec2net -name '*.swift' ! -name main.swift))
EMBEDDED_HEADERS := Sources/CLinux/module.modulemap Sources/CLinux/shim.h \
	Sources/CUdev/module.modulemap Sources/CUdev/shim.h

.PHONY: embedded embedded-static embedded-size

embedded: $(EMBEDDED_DIR)/ec2net
	$(PYTHON) Scripts/link-names $(EMBEDDED_DIR)

embedded-static: $(EMBEDDED_STATIC_DIR)/ec2net

# $(1): output directory, $(2): extra compiler flags. One rule set per variant.
# swiftc keeps an object whose bytes did not change with its old mtime:
# touch, so make does not rebuild it every time.
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
		-c $(filter-out $(if $(findstring EC2NET_NO_UDEV,$(2)),%/UdevDevices.swift),$(EMBEDDED_SYSTEM)) -o $$@
	@touch $$@

$(1)/ec2net.o: $(1)/EC2NetSystem.o $(EMBEDDED_MAIN)
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) $(2) -I $(1)/modules -module-name ec2net \
		-c $(EMBEDDED_MAIN) -o $$@
	@touch $$@
endef

$(eval $(call embedded_variant,$(EMBEDDED_DIR),))
$(eval $(call embedded_variant,$(EMBEDDED_STATIC_DIR),-D EC2NET_NO_UDEV))

$(EMBEDDED_DIR)/ec2net: $(EMBEDDED_DIR)/EC2NetCore.o $(EMBEDDED_DIR)/EC2NetSystem.o $(EMBEDDED_DIR)/ec2net.o
	$(SWIFTC) -enable-experimental-feature Embedded -target $(EMBEDDED_TRIPLE) $^ \
		$(EMBEDDED_LINKFLAGS) -ludev $(EMBEDDED_LDFLAGS) -o $@

# Fully static with musl (Debian's musl-tools): the C library's headers are
# musl's (kernel UAPI headers from /usr/include), the link is musl-gcc
# -static; no libudev (SysfsDevices, which finds ENIs by their sysfs driver
# link: true of ena/ixgbevf/vif, not of the simulation's veth, whose driver
# only udev's ID_NET_DRIVER names). Measured, not shipped: README "Size and memory".
EMBEDDED_MUSL_DIR ?= .build/embedded-musl
EMBEDDED_MUSL_INCLUDE := $(EMBEDDED_MUSL_DIR)/uapi
EMBEDDED_CLANG_INCLUDE := $(dir $(shell command -v $(SWIFTC)))../lib/swift/clang/include
EMBEDDED_MUSL_FLAGS := -D EC2NET_NO_UDEV -Xcc -nostdinc -Xcc -isystem -Xcc $(EMBEDDED_CLANG_INCLUDE) \
	-Xcc -isystem -Xcc /usr/include/x86_64-linux-musl -Xcc -isystem -Xcc $(EMBEDDED_MUSL_INCLUDE)

.PHONY: embedded-musl
embedded-musl: $(EMBEDDED_MUSL_DIR)/ec2net
	$(PYTHON) Scripts/link-names $(EMBEDDED_MUSL_DIR)

$(EMBEDDED_MUSL_INCLUDE):
	@command -v musl-gcc >/dev/null || { echo "embedded-musl needs musl-gcc: apt-get install musl-tools"; exit 1; }
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell uname -m)-linux-gnu/asm $@/asm

$(EMBEDDED_MUSL_DIR)/EC2NetCore.o: | $(EMBEDDED_MUSL_INCLUDE)
$(eval $(call embedded_variant,$(EMBEDDED_MUSL_DIR),$(EMBEDDED_MUSL_FLAGS)))

$(EMBEDDED_MUSL_DIR)/ec2net: $(EMBEDDED_MUSL_DIR)/EC2NetCore.o $(EMBEDDED_MUSL_DIR)/EC2NetSystem.o $(EMBEDDED_MUSL_DIR)/ec2net.o
	musl-gcc -static -Os -ffunction-sections -Wl,--gc-sections -s -o $@ Sources/CLinux/musl-compat.c $^ \
		$(EMBEDDED_LIB)/libswiftUnicodeDataTables.a

# Fully static: glibc linked in, no libudev at run time (SysfsDevices).
$(EMBEDDED_STATIC_DIR)/ec2net: $(EMBEDDED_STATIC_DIR)/EC2NetCore.o $(EMBEDDED_STATIC_DIR)/EC2NetSystem.o $(EMBEDDED_STATIC_DIR)/ec2net.o
	$(SWIFTC) -enable-experimental-feature Embedded -target $(EMBEDDED_TRIPLE) $^ \
		$(EMBEDDED_LINKFLAGS) -Xlinker -static $(EMBEDDED_LDFLAGS) -o $@

.DEFAULT_GOAL := $(EMBEDDED_SAVED_DEFAULT_GOAL)
