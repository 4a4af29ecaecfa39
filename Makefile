# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when needed.
# The interpreter .venv is built on: the system's /usr/bin/python3 when it is 3.11 or later and
# can make a venv, else python3 on PATH. Debian's build (static, optimised by its packaging) ran
# a batch in 27% less time here than one compiled with pyenv's defaults (shared, no profile-guided
# optimisation): docs/performance.md, section "the interpreter". To choose another one:
# `make clean`, then `make PYTHON=/path/to/python3 test`.
PYTHON ?= $(or $(shell for candidate in /usr/bin/python3 python3; do \
	"$$candidate" -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && { echo "$$candidate"; break; }; done),python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := build/demo

.PHONY: venv demo test bench clean templates pictures

$(BIN)/aeroi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/aeroi

venv: $(BIN)/aeroi

# Copies the example workbooks to a scratch folder and runs the batch on the copies,
# so the committed examples stay clean.
demo: venv
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	cp workbooks/examples/*.xlsx $(DEMO_DIR)/
	$(BIN)/aeroi quote --weight-g 750
	$(BIN)/aeroi run $(DEMO_DIR) --summary $(DEMO_DIR)/summary.xlsx
	@echo "Results written into the workbooks in $(DEMO_DIR); summary: $(DEMO_DIR)/summary.xlsx"

# On every core (pytest-xdist), a test file at a time, the longest files first
# (tests/conftest.py). The two plugins are named rather than auto-loaded: an auto-loaded
# plugin's whole package gets pytest's assert rewriting (all of hypothesis: 2 s per worker).
# `.venv/bin/python -m pytest` alone runs the same tests one after another.
PYTEST_PARALLEL := --disable-plugin-autoload -p xdist -p hypothesispytest \
	-n auto --dist loadfile --no-loadscope-reorder
test: venv
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

bench: venv
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py

# Regenerates the committed templates and examples (a test fails when they drift).
templates: venv
	$(BIN)/python -m calculator.workbook.template workbooks/templates
	$(BIN)/python workbooks/make_examples.py

pictures: venv
	$(BIN)/python docs/render_pictures.py

clean:
	rm -rf $(VENV) build .pytest_cache
