# tests/integration -- Python suites against a real coachnetd, redis-server
# and TLS (see tests/integration/README.md).  Each script prints TAP and
# exits non-zero on failure; tests/run-tests gives them B (build/rel or
# build/san), and they run $(B)/server/coachnetd (a missing binary is one
# "not ok" line, never a silent pass).
INTEGRATION_SUITES := $(sort $(wildcard tests/integration/test_*.py))
CHECK_CMDS += $(INTEGRATION_SUITES)

# `make check-integration [SANITIZE=1]`: build the server, run only these.
.PHONY: check-integration
check-integration: $(filter %/server/coachnetd,$(PROGS))
	@B=$(B) tests/run-tests $(INTEGRATION_SUITES)

# `make examples`: build the server, then write docs/methods.md's examples
# from a live coachnetd (scripts/gen-examples, test_doc_examples.py).
.PHONY: examples
examples: $(filter %/server/coachnetd,$(PROGS))
	@B=$(B) scripts/gen-examples
