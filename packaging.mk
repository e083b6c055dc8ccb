# Packaging targets: make deb, make rpm (included by the main Makefile; also
# usable alone: make -f packaging.mk deb). Results land in out/.
#
#   deb             dpkg-buildpackage -us -uc -b, then lintian; out/ec2net_*.deb
#   rpm             rpmbuild -bb from a tarball of the tree; out/ec2net-*.rpm
#   packaging-check builds both, then pytest Tests/packaging/check_deb.py
#
# ARCH=aarch64 (arch.mk; default this machine's) builds for another
# architecture as the distributions cross-build: dpkg-buildpackage -a arm64
# (debian/rules takes the CPU from dpkg), rpmbuild --target aarch64 (the
# spec takes %{_target_cpu}). The cross tools come from Debian's arm64
# architecture (dpkg --add-architecture arm64).
#
# Missing build tools are installed with apt-get. Swift is taken from
# SWIFT_BIN (default /opt/swift/usr/bin); it is not a Debian package.

# Do not let these targets become the including Makefile's default goal.
PKG_SAVED_DEFAULT_GOAL := $(.DEFAULT_GOAL)

include $(dir $(lastword $(MAKEFILE_LIST)))arch.mk
comma := ,

# First line of debian/changelog: "ec2net (VERSION) unstable; ..."
PKG_VERSION := $(shell sed -n '1s/^ec2net .\([^ ]*\). .*/\1/p' debian/changelog)
PKG_OUT := out
SWIFT_BIN ?= /opt/swift/usr/bin
export SWIFT_BIN

PKG_SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
PKG_CROSS_TOOLS := $(if $(ARCH_CROSS),crossbuild-essential-$(ARCH_DEB) musl-dev:$(ARCH_DEB))
PKG_DEB_TOOLS := debhelper dpkg-dev fakeroot lintian musl-tools $(PKG_CROSS_TOOLS)
PKG_RPM_TOOLS := rpm musl-tools $(PKG_CROSS_TOOLS)
PKG_TEST_TOOLS := python3-pytest systemd man-db

# apt-get install whatever of $(1) is not installed yet (nothing if all are).
define pkg_apt_install
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q ' installed$$' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "packaging: installing" $$missing; \
		$(if $(ARCH_CROSS),$(PKG_SUDO) dpkg --add-architecture $(ARCH_DEB) &&) \
		$(PKG_SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(PKG_SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: deb rpm packaging-check deb-tools rpm-tools

deb-tools:
	$(call pkg_apt_install,$(PKG_DEB_TOOLS))

rpm-tools:
	$(call pkg_apt_install,$(PKG_RPM_TOOLS))

# dpkg-buildpackage writes its results into the parent directory; they are
# moved to out/ at once (this architecture's only).
PKG_DEB := $(PKG_OUT)/ec2net_$(PKG_VERSION)_$(ARCH_DEB).deb
deb: deb-tools
	$(if $(ARCH_CROSS),DEB_BUILD_OPTIONS=nocheck) dpkg-buildpackage -us -uc -b \
		$(if $(ARCH_CROSS),-a $(ARCH_DEB) -Pcross$(comma)nocheck)
	mkdir -p $(PKG_OUT)
	for f in ../ec2net_$(PKG_VERSION)_$(ARCH_DEB).deb ../ec2net-dbgsym_$(PKG_VERSION)_$(ARCH_DEB).deb \
		../ec2net_$(PKG_VERSION)_$(ARCH_DEB).buildinfo ../ec2net_$(PKG_VERSION)_$(ARCH_DEB).changes; do \
		if [ -e "$$f" ]; then mv "$$f" $(PKG_OUT)/; fi; \
	done
	lintian --info --pedantic $(PKG_OUT)/ec2net_$(PKG_VERSION)_$(ARCH_DEB).changes || true
	@ls -l $(PKG_DEB)

# The tarball holds the working tree minus VCS data and build outputs (the
# .gitignore entries), so a clean checkout and a work in progress both build.
# Never .build: SwiftPM's module cache there is tied to its absolute path.
# --nodeps on dpkg systems: rpmbuild checks BuildRequires against the RPM
# database, which is empty there; apt provided them (rpm-tools).
PKG_RPM_TOP := $(CURDIR)/$(PKG_OUT)/rpm
rpm: rpm-tools
	rm -rf $(PKG_RPM_TOP)
	mkdir -p $(PKG_RPM_TOP)/SOURCES
	tar --exclude-vcs --exclude=./$(PKG_OUT) --exclude='./.build*' \
		--exclude='*.deb' --exclude='*.rpm' --exclude=__pycache__ --exclude=.pytest_cache \
		--transform 's,^\.,ec2net-$(PKG_VERSION),' \
		-czf $(PKG_RPM_TOP)/SOURCES/ec2net-$(PKG_VERSION).tar.gz .
	rpmbuild -bb --define '_topdir $(PKG_RPM_TOP)' --define 'swift_bin $(SWIFT_BIN)' \
		$(if $(ARCH_CROSS),--target $(ARCH)) \
		$(if $(wildcard /var/lib/dpkg/status),--nodeps) spec/ec2net.spec
	cp $(PKG_RPM_TOP)/RPMS/$(ARCH)/ec2net-*.rpm $(PKG_OUT)/
	@ls -l $(PKG_OUT)/ec2net-*.$(ARCH).rpm

# Builds both packages from the tree, then checks them (CI runs this).
packaging-check: deb rpm
	$(call pkg_apt_install,$(PKG_TEST_TOOLS))
	$(if $(ARCH_CROSS),EC2NET_RUNNER=qemu-$(ARCH)-static) EC2NET_DEB=$(PKG_DEB) \
	EC2NET_RPM=$$(ls $(PKG_OUT)/ec2net-$(PKG_VERSION)-*.$(ARCH).rpm) \
		python3 -m pytest -v -s Tests/packaging/check_deb.py Tests/packaging/check_rpm.py Tests/packaging/test_postinst_manage.py Tests/packaging/test_budgets.py

.DEFAULT_GOAL := $(PKG_SAVED_DEFAULT_GOAL)
