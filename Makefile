# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR := build/demo

.PHONY: venv demo test bench clean templates

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
	cp workbooks/examples/*.xlsx $(DEMO_DIR)/ 2>/dev/null || true
	$(BIN)/aeroi quote --weight-g 750
	@if ls $(DEMO_DIR)/*.xlsx >/dev/null 2>&1 && $(BIN)/aeroi run --help >/dev/null 2>&1; then \
		$(BIN)/aeroi run $(DEMO_DIR) --summary $(DEMO_DIR)/summary.xlsx; \
		echo "Results written into $(DEMO_DIR); summary: $(DEMO_DIR)/summary.xlsx"; \
	fi

test: venv
	$(BIN)/python -m pytest

bench: venv
	$(BIN)/python benchmarks/run.py

templates: venv
	$(BIN)/python -m calculator.workbook.template workbooks/templates

clean:
	rm -rf $(VENV) build .pytest_cache
