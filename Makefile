# coachnet — top-level Makefile.
#
#   make                 build every library, program and test
#   make check           build and run every test suite; ends with "N passed, N failed"
#   make api             regenerate what scripts/gen-api makes from the schema in api/
#   make format          apply .clang-format to every C file (make check fails on a difference)
#   make check SANITIZE=1  the same under ASan + UBSan (separate build folder)
#   make fuzz FUZZ_SECONDS=N  run every libFuzzer target for N seconds (clang)
#   make bench           build the benchmarks (see bench/*/README)
#   make demo            the end-to-end demonstration (see README.md)
#   make install         install under PREFIX (/usr/local) and DESTDIR; make uninstall (install.mk)
#   make deb             the Debian packages, in build/deb/ (install.mk, debian/)
#   make clean           remove build/
#
# Every build output goes under build/ (ignored by git).  Each module
# describes itself in <module>/module.mk; this file holds only what they share.

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
B        := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPT      ?= -O1 -g
else
B        := build/rel
SANFLAGS :=
OPT      ?= -O2 -g
endif

CC       ?= cc
PKG      ?= pkg-config
WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Werror
CPPFLAGS := -I. -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
CFLAGS   := $(WARN) $(OPT) $(SANFLAGS) -pthread -MMD -MP $(EXTRA_CFLAGS)
LDFLAGS  := $(SANFLAGS) -pthread $(EXTRA_LDFLAGS)

# Library flags.  Recursive (=) so that pkg-config runs only when a recipe
# needs them, i.e. after `make check`/`make demo` have installed packages.
# hiredis: link only; its pkg-config cflags add -I/usr/include/hiredis, whose
# sds.h then warns (design.md §8).  Include <hiredis/hiredis.h> instead.
MSGPACK_CFLAGS = $(shell $(PKG) --cflags msgpack)
MSGPACK_LIBS   = $(shell $(PKG) --libs msgpack)
EVENT_CFLAGS   = $(shell $(PKG) --cflags libevent libevent_openssl libevent_pthreads)
EVENT_LIBS     = $(shell $(PKG) --libs libevent libevent_openssl libevent_pthreads)
SSL_CFLAGS     = $(shell $(PKG) --cflags openssl)
SSL_LIBS       = $(shell $(PKG) --libs openssl)
ARGON2_LIBS    = $(shell $(PKG) --libs libargon2)
CMOCKA_CFLAGS  = $(shell $(PKG) --cflags cmocka)
CMOCKA_LIBS    = $(shell $(PKG) --libs cmocka)
JANSSON_LIBS   = $(shell $(PKG) --libs jansson)
HIREDIS_LIBS   = -lhiredis
CSV_LIBS       = -lcsv
MATH_LIBS      = -lm

# Filled in by the module fragments:
LIBS_ALL    :=   # static libraries
PROGS       :=   # programs
UNIT_TESTS  :=   # cmocka binaries, run with TAP output
CHECK_CMDS  :=   # further test commands (scripts) run by `make check`
FUZZERS     :=   # libFuzzer binaries (built with clang)
BENCHES     :=   # benchmark binaries

# Compile any C file of the tree into $(B)/<same path>.o
$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(MOD_CFLAGS) -c $< -o $@

# Build a static library from the objects of a module.
define cn_archive
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^
endef

-include proto/module.mk
-include matcher/module.mk
-include server/module.mk
-include mailer/module.mk
-include clients/module.mk
-include clients/js/module.mk
-include web/module.mk
-include tests/module.mk
-include bench/module.mk
-include tests/integration/integration.mk
-include tests/fault/fault.mk
-include tests/api/api.mk
-include tests/style/style.mk
-include install.mk

.PHONY: all check check-build fuzz bench demo clean deps

all: $(LIBS_ALL) $(PROGS) $(UNIT_TESTS)

deps:
	@scripts/install-deps

# `check` installs what is missing first, then re-enters make so that the
# pkg-config queries above see the installed packages.
check: deps check-api
	@$(MAKE) --no-print-directory check-build SANITIZE=$(SANITIZE)
	@B=$(B) tests/run-tests $(UNIT_TESTS) $(CHECK_CMDS)

check-build: all

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@tests/fuzz/run-fuzzers $(FUZZ_SECONDS) $(FUZZERS)

bench: $(BENCHES)

demo: deps
	@$(MAKE) --no-print-directory all SANITIZE=$(SANITIZE)
	@scripts/demo $(B)

clean:
	rm -rf build

# (not build/deb: a copy of the tree that make deb builds on its own)
-include $(shell find build -path build/deb -prune -o -name '*.d' -type f -print 2>/dev/null)
