# SPDX-License-Identifier: GPL-2.0
# microv top-level Makefile.
#
#   make                 build microv.ko (for KDIR) and the tools
#   make check           every test, emulated machines included
#   make demo            boot the emulated VMX machine and show the module
#   make bench           exit costs under microv and under KVM (emulated)
#   make install         modules_install + tools + udev rule
#   make headers_install install the uapi header under INSTALL_HDR_PATH
#   make dkms-install / dkms-remove
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
INSTALL_HDR_PATH ?= /usr
UDEVDIR ?= /lib/udev/rules.d
DKMS_NAME := $(shell sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' dkms.conf)
DKMS_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
# What DKMS needs to rebuild the module.
MODULE_SOURCES := Kbuild dkms.conf module vmx xenabi include

all: module tools

module:
	@test -d $(KDIR) || { echo "no kernel build tree at $(KDIR):" \
		"install linux-headers-$$(uname -r), or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools

check:
	selftests/check.sh

demo:
	selftests/vm/demo.sh

bench:
	selftests/vm/bench.sh

# make fuzz [FUZZ_SECONDS=600] [FUZZ_OPS=20000]
fuzz:
	selftests/vm/fuzz.sh $(or $(FUZZ_SECONDS),600) $(or $(FUZZ_OPS),20000)

install: module tools
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C tools install PREFIX=$(PREFIX)
	install -D -m 0644 udev/60-microv.rules $(DESTDIR)$(UDEVDIR)/60-microv.rules

headers_install:
	install -D -m 0644 include/uapi/linux/microv.h \
		$(DESTDIR)$(INSTALL_HDR_PATH)/include/linux/microv.h

# Copies the module sources where DKMS wants them (DESTDIR).
dkms-source:
	@test -n "$(DESTDIR)" || { echo "dkms-source needs DESTDIR" >&2; exit 1; }
	mkdir -p $(DESTDIR)
	cp -r $(MODULE_SOURCES) $(DESTDIR)/

dkms-install:
	$(MAKE) dkms-source DESTDIR=$(DKMS_SRC)
	dkms add -m $(DKMS_NAME) -v $(DKMS_VERSION)
	dkms build -m $(DKMS_NAME) -v $(DKMS_VERSION)
	dkms install -m $(DKMS_NAME) -v $(DKMS_VERSION)

dkms-remove:
	dkms remove -m $(DKMS_NAME) -v $(DKMS_VERSION) --all
	rm -rf $(DKMS_SRC)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C tools clean
	rm -rf build

.PHONY: all module tools check demo bench fuzz install headers_install dkms-source \
	dkms-install dkms-remove clean
