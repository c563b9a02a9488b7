# tests/integration -- Python suites against a real coachnetd, redis-server
# and TLS (see tests/integration/README.md).  Each script prints TAP and
# exits non-zero on failure; tests/run-tests gives them B (build/rel or
# build/san), and they run $(B)/server/coachnetd.
INTEGRATION_SUITES := $(sort $(wildcard tests/integration/test_*.py))
CHECK_CMDS += $(INTEGRATION_SUITES)

.PHONY: check-integration
check-integration:
	@B=$(B) tests/run-tests $(INTEGRATION_SUITES)
