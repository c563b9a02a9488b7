# install.mk -- `make install` and `make uninstall` (DESIGN §12, docs/operations.md "Installing").
#
#   make install   [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=...] [SYSCONFDIR=...] ...
#   make uninstall (the same variables)
#   make deb       the Debian packages (debian/) in build/deb/, checked by lintian
#
# Installs the release build ($(B), build/rel unless SANITIZE=1), built first
# if needed:
#
#   $(SBINDIR)/coachnetd                    the server
#   $(BINDIR)/coachnet                      the CLI
#   $(LIBDIR)/libcoachnet.so.0.x.y          shared library, soname libcoachnet.so.0,
#   $(LIBDIR)/libcoachnet.so.0, .so         with its links, and the static
#   $(LIBDIR)/libcoachnet.a                 archive (libcoachnet + libproto)
#   $(LIBDIR)/pkgconfig/libcoachnet.pc      with this install's paths
#   $(INCLUDEDIR)/coachnet.h, coachnet_api.gen.h
#   $(CN_DATADIR)/data/*.tsv                the catalogues (data-dir of the sample config)
#   $(MANDIR)/man{1,5,8}/...                coachnet(1), coachnetd.conf(5), coachnetd(8)
#   $(SYSCONFDIR)/coachnet/coachnetd.conf   the commented sample config; an existing
#                                           file is never overwritten (nor removed)
#   $(SYSTEMDUNITDIR)/coachnetd.service     the systemd unit
#   $(SYSUSERSDIR)/coachnetd.conf           the system user "coachnet" (systemd-sysusers)
#   $(BASHCOMPDIR)/coachnet                 bash completion of the CLI
#
# Paths inside the installed config and unit follow the variables.  DESTDIR
# is prepended to every path written and to nothing inside the files.

PREFIX         ?= /usr/local
DESTDIR        ?=
BINDIR         ?= $(PREFIX)/bin
SBINDIR        ?= $(PREFIX)/sbin
LIBDIR         ?= $(PREFIX)/lib
INCLUDEDIR     ?= $(PREFIX)/include
DATAROOTDIR    ?= $(PREFIX)/share
CN_DATADIR     ?= $(DATAROOTDIR)/coachnet
MANDIR         ?= $(DATAROOTDIR)/man
BASHCOMPDIR    ?= $(DATAROOTDIR)/bash-completion/completions
# /usr installs its config in /etc (FHS); any other prefix in PREFIX/etc.
SYSCONFDIR     ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
INSTALL        ?= install

CN_MANPAGES := docs/man/coachnet.1 docs/man/coachnetd.conf.5 docs/man/coachnetd.8
CN_CATALOGS := $(wildcard data/*.tsv)
CN_SO_REAL   = libcoachnet.so.$(CN_CLIENT_VERSION)

# The sample config and the unit name paths of the source tree's defaults
# (a /usr install); this rewrites them for the variables above.
CN_PATH_SED = -e 's|/usr/share/coachnet|$(CN_DATADIR)|g' -e 's|/etc/coachnet|$(SYSCONFDIR)/coachnet|g' \
              -e 's|/usr/sbin/coachnetd|$(SBINDIR)/coachnetd|g' \
              -e 's|/usr/sbin/coachnet-mailer|$(SBINDIR)/coachnet-mailer|g'

.PHONY: install install-build uninstall deb

# What install copies (debian/rules builds this alone: no tests, no benchmarks).
install-build: $(B)/server/coachnetd $(B)/mailer/coachnet-mailer $(B)/clients/coachnet $(CN_CLIENT_LIB) $(B)/so/libcoachnet.so $(B)/web/index.html

install: install-build
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(CN_DATADIR)/data $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/coachnet \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(BASHCOMPDIR)
	$(INSTALL) -m 0755 $(B)/server/coachnetd $(DESTDIR)$(SBINDIR)/coachnetd
	$(INSTALL) -m 0755 $(B)/mailer/coachnet-mailer $(DESTDIR)$(SBINDIR)/coachnet-mailer
	$(INSTALL) -d $(DESTDIR)$(CN_DATADIR)/mail/id $(DESTDIR)$(CN_DATADIR)/mail/en
	$(INSTALL) -m 0644 $(wildcard data/mail/id/*) $(DESTDIR)$(CN_DATADIR)/mail/id
	$(INSTALL) -m 0644 $(wildcard data/mail/en/*) $(DESTDIR)$(CN_DATADIR)/mail/en
	$(INSTALL) -m 0755 $(B)/clients/coachnet $(DESTDIR)$(BINDIR)/coachnet
	$(INSTALL) -m 0644 $(B)/so/$(CN_SO_REAL) $(DESTDIR)$(LIBDIR)/$(CN_SO_REAL)
	ln -sf $(CN_SO_REAL) $(DESTDIR)$(LIBDIR)/$(CN_SO_NAME)
	ln -sf $(CN_SO_NAME) $(DESTDIR)$(LIBDIR)/libcoachnet.so
	$(INSTALL) -m 0644 $(CN_CLIENT_LIB) $(DESTDIR)$(LIBDIR)/libcoachnet.a
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(CN_CLIENT_VERSION)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' clients/libcoachnet.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libcoachnet.pc
	chmod 0644 $(DESTDIR)$(LIBDIR)/pkgconfig/libcoachnet.pc
	$(INSTALL) -m 0644 clients/coachnet.h clients/coachnet_api.gen.h $(DESTDIR)$(INCLUDEDIR)
	$(INSTALL) -m 0644 $(CN_CATALOGS) $(DESTDIR)$(CN_DATADIR)/data
	$(INSTALL) -d $(DESTDIR)$(CN_DATADIR)/web
	cp -R $(B)/web/. $(DESTDIR)$(CN_DATADIR)/web
	chmod -R u=rwX,go=rX $(DESTDIR)$(CN_DATADIR)/web
	$(INSTALL) -m 0644 docs/man/coachnet.1 $(DESTDIR)$(MANDIR)/man1
	$(INSTALL) -m 0644 docs/man/coachnetd.conf.5 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 0644 docs/man/coachnetd.8 docs/man/coachnet-mailer.8 $(DESTDIR)$(MANDIR)/man8
	test -e $(DESTDIR)$(SYSCONFDIR)/coachnet/coachnetd.conf || \
	    { sed $(CN_PATH_SED) etc/coachnetd.conf > $(DESTDIR)$(SYSCONFDIR)/coachnet/coachnetd.conf && \
	      chmod 0644 $(DESTDIR)$(SYSCONFDIR)/coachnet/coachnetd.conf; }
	sed $(CN_PATH_SED) etc/coachnetd.service > $(DESTDIR)$(SYSTEMDUNITDIR)/coachnetd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/coachnetd.service
	sed $(CN_PATH_SED) etc/coachnet-mailer.service > $(DESTDIR)$(SYSTEMDUNITDIR)/coachnet-mailer.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/coachnet-mailer.service
	$(INSTALL) -m 0644 etc/sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/coachnetd.conf
	$(INSTALL) -m 0644 clients/cli/coachnet.bash-completion $(DESTDIR)$(BASHCOMPDIR)/coachnet

# Removes what install wrote, except the config (an operator's file).
uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/coachnetd $(DESTDIR)$(SBINDIR)/coachnet-mailer $(DESTDIR)$(BINDIR)/coachnet \
	    $(DESTDIR)$(MANDIR)/man8/coachnet-mailer.8 $(DESTDIR)$(SYSTEMDUNITDIR)/coachnet-mailer.service \
	    $(DESTDIR)$(LIBDIR)/libcoachnet.so.$(CN_SO_MAJOR).* $(DESTDIR)$(LIBDIR)/$(CN_SO_NAME) \
	    $(DESTDIR)$(LIBDIR)/libcoachnet.so $(DESTDIR)$(LIBDIR)/libcoachnet.a \
	    $(DESTDIR)$(LIBDIR)/pkgconfig/libcoachnet.pc \
	    $(DESTDIR)$(INCLUDEDIR)/coachnet.h $(DESTDIR)$(INCLUDEDIR)/coachnet_api.gen.h \
	    $(addprefix $(DESTDIR)$(MANDIR)/,man1/coachnet.1 man5/coachnetd.conf.5 man8/coachnetd.8) \
	    $(DESTDIR)$(SYSTEMDUNITDIR)/coachnetd.service $(DESTDIR)$(SYSUSERSDIR)/coachnetd.conf \
	    $(DESTDIR)$(BASHCOMPDIR)/coachnet
	rm -rf $(DESTDIR)$(CN_DATADIR)/data $(DESTDIR)$(CN_DATADIR)/web $(DESTDIR)$(CN_DATADIR)/mail
	rmdir $(DESTDIR)$(CN_DATADIR) 2>/dev/null || true

# tests/install/run-install-tests: make install into a temporary DESTDIR and
# PREFIX, a C client built with pkg-config alone against the installed
# shared library, the Python package installed with pip --target, man
# pages, the unit (systemd-analyze verify), completion, make uninstall.
CHECK_CMDS += tests/install/run-install-tests

# `make deb`: dpkg-buildpackage -us -uc -b on a copy of the working tree
# (tracked and untracked files, not the ignored ones: no build/, no
# node_modules) in build/deb/coachnet, so that its clean step cannot touch
# this tree's build/ and the .deb files land in build/deb/; then lintian,
# which must report no error.
DEB_DIR := build/deb
deb:
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/coachnet
	git ls-files -z --cached --others --exclude-standard | \
	    tar --null -T - --ignore-failed-read -cf - | tar -C $(DEB_DIR)/coachnet -xf -
	# the web app's npm packages (scripts/install-deps: npm ci), vendored into the app
	tar -cf - web/node_modules | tar -C $(DEB_DIR)/coachnet -xf -
	cd $(DEB_DIR)/coachnet && dpkg-buildpackage -us -uc -b
	lintian --fail-on error $(DEB_DIR)/*.changes
