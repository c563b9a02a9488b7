# clients/js/ -- the JavaScript client (ES modules: nothing to build).
#
#   clients/js/test/run-node-tests   its unit tests under node's test runner, TAP
#   tests/integration/test_js_client.py   its live test against coachnetd
#                                    (picked up by tests/integration/integration.mk)
#
# node, npm and clients/js/node_modules come from scripts/install-deps.
CHECK_CMDS += clients/js/test/run-node-tests

# `make check-js`: only the JavaScript client's unit tests.
.PHONY: check-js
check-js: deps
	@B=$(B) tests/run-tests clients/js/test/run-node-tests
