# web/ -- the browser app (static ES modules, no bundler; web/README.md).
#
#   make                 assembles it into $(B)/web/ (web/tools/build.mjs): the app,
#                        data/*.tsv, clients/js/*.mjs and the vendored ESM builds of
#                        the npm packages; coachnetd's web-root points there
#   web/test/run-node-tests   catalogue and build checks under node (make check)
#   tests/integration/test_browser.py   the app in headless chromium against a real
#                        coachnetd (picked up by tests/integration/integration.mk)
#
# node and web/node_modules come from scripts/install-deps (npm ci --prefix web).
WEB_OUT := $(B)/web
WEB_SRC := $(shell find web/index.html web/css web/js web/i18n web/tools -type f 2>/dev/null) \
           web/package-lock.json clients/js/coachnet.mjs clients/js/transport-ws.mjs \
           clients/js/methods.gen.mjs $(wildcard data/*.tsv)

$(WEB_OUT)/index.html: $(WEB_SRC)
	node web/tools/build.mjs $(WEB_OUT)

all: $(WEB_OUT)/index.html

CHECK_CMDS += web/test/run-node-tests
