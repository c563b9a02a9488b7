# tests/style -- one code style for the C tree (.clang-format).
#   make format          rewrite every C file as clang-format wants it
#   tests/style/check-format   (in make check) fails on a file that differs
.PHONY: format
format:
	@git ls-files '*.c' '*.h' '*.cpp' | grep -v '\.gen\.' | xargs clang-format -i --style=file

CHECK_CMDS += tests/style/check-format
