# berth — one non-recursive GNU Makefile; each component adds to it in its build.mk.
# Outputs go to $(BUILD); `make help` lists the targets.

BUILD ?= build
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
PKG_CONFIG ?= pkg-config
SANITIZE ?= 0
# The sanitizer build has a folder of its own; set before any flag names it.
ifeq ($(SANITIZE),1)
BUILD := $(BUILD)/sanitize
endif

CFLAGS ?= -O2 -g
BERTH_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilib -I$(BUILD)/gen \
	-fno-strict-aliasing -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Wno-missing-field-initializers
# The checkout's folder must not reach the binaries: debug information names
# it, and the GNU build-id hashes the debug information, so berth-init (and
# with it the image's commit id) would differ from one checkout to another.
BERTH_CFLAGS += -ffile-prefix-map=$(CURDIR)=.
BERTH_LDFLAGS :=
ifeq ($(SANITIZE),1)
BERTH_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BERTH_LDFLAGS += -fsanitize=address,undefined
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0)

# pkg-config per library; a missing one fails with the package to install.
pc_cflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null || echo PKGCONFIG_MISSING_$(1))
pc_libs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null || echo PKGCONFIG_MISSING_$(1))

PROGRAMS :=
TEST_PROGRAMS :=

.PHONY: all
all:

include lib/build.mk
include builder/build.mk
include init/build.mk
include init/containerd/build.mk
include init/ctr/build.mk

all: $(PROGRAMS) $(TEST_PROGRAMS)

$(BUILD)/gen/version.h: VERSION
	@mkdir -p $(@D)
	@printf '#pragma once\n#define BERTH_VERSION "%s"\n' "$(VERSION)" > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(BUILD)/gen/version.h
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(BERTH_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS_$(subst /,_,$(dir $<))) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- dependencies: every Debian package the build, the demo and the tests need ----
.PHONY: deps
deps:
	@build-aux/deps.sh

# ---- tests ----
# `make check` runs every stream; check-unit (C unit tests, valgrind),
# check-toml (toml-test where present, the tomllib differential test, a
# fuzzing pass) and check-bats (bats-lint, the BATS suites) run one each.
# All end with "N passed, N failed".
.PHONY: check check-unit check-toml check-bats
check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) build-aux/check.sh
check-unit check-toml check-bats: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) build-aux/check.sh $(@:check-%=%)

# ---- fuzzing (clang/libFuzzer) ----
FUZZ_SECONDS ?= 300
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Ilib -I$(BUILD)/gen -g -O1 -fsanitize=fuzzer,address,undefined
$(BUILD)/fuzz/fuzz-toml: lib/tests/fuzz-toml.c $(LIB_TOML_SRCS) $(BUILD)/gen/version.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@

# The host state's schema on top of the parser; run by hand:
#   make build/fuzz/fuzz-host-state && build/fuzz/fuzz-host-state -dict=lib/tests/host-state.dict CORPUS
LIB_HOST_STATE_SRCS := lib/schema.c lib/host-state.c lib/host-state-check.c lib/strv.c lib/fileio.c
$(BUILD)/fuzz/fuzz-host-state: lib/tests/fuzz-host-state.c $(LIB_HOST_STATE_SRCS) $(LIB_TOML_SRCS) $(BUILD)/gen/version.h
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) $(filter %.c,$^) -o $@

.PHONY: fuzz
fuzz: $(BUILD)/fuzz/fuzz-toml
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) build-aux/fuzz.sh

# ---- demo ----
.PHONY: demo
demo: deps all
	@build-aux/demo.sh

# ---- formatting ----
C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
.PHONY: format check-format
format:
	clang-format -i $(C_SOURCES)
check-format:
	clang-format --dry-run -Werror $(C_SOURCES)

# ---- install / clean ----
.PHONY: install clean
# build-image finds berth-init, berth-fetch and berth-ctr in ../lib/berth and the dracut module in
# ../share/berth/dracut relative to itself (builder/build.c), and the
# overlays that recipes name berth:NAME in ../share/berth/overlays
# (builder/recipe.c); cp -R keeps the modes the overlay files have in the checkout.
# bin/berthctl is berth-init under its client's name, for `berthctl check`
# on a build host (docs/host-state.md).
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/berth \
		$(DESTDIR)$(PREFIX)/share/berth/recipes $(DESTDIR)$(PREFIX)/share/berth/overlays \
		$(DESTDIR)$(PREFIX)/share/berth/dracut/90berth
	install -m 0755 $(BUILD)/build-image $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(BUILD)/berth-init $(BUILD)/berth-fetch $(BUILD)/berth-ctr $(DESTDIR)$(PREFIX)/lib/berth/
	ln -sfn ../lib/berth/berth-init $(DESTDIR)$(PREFIX)/bin/berthctl
	install -m 0755 init/dracut/90berth/module-setup.sh $(DESTDIR)$(PREFIX)/share/berth/dracut/90berth/
	install -m 0644 recipes/*.toml $(DESTDIR)$(PREFIX)/share/berth/recipes/
	cp -R overlays/. $(DESTDIR)$(PREFIX)/share/berth/overlays/

clean:
	rm -rf $(BUILD)

.PHONY: help
help:
	@echo "make            build every program into $(BUILD)/"
	@echo "make deps       install the Debian packages berth needs (idempotent)"
	@echo "make demo       build the default recipe and show what the image holds"
	@echo "make check      all tests (SANITIZE=1: unit tests under ASan/UBSan)"
	@echo "make check-unit, check-toml, check-bats: one stream of make check each"
	@echo "make fuzz       fuzz the TOML parser for FUZZ_SECONDS (default 300)"
	@echo "make format     apply .clang-format; make check-format verifies it"
	@echo "make install    install into DESTDIR/PREFIX; make clean removes $(BUILD)/"
