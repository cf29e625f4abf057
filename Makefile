# Two entry points: `make demo` and `make test`. Both build .venv first, from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test lint fmt bench clean

# --compile-bytecode: uv installs no .pyc files, and where Python may not write them when it
# imports (PYTHONDONTWRITEBYTECODE, read-only installs; both on this project's machines) every
# run compiled spaCy, pandas and the rest from source: 2.1-2.6 s of imports against 0.9-1.3 s
# compiled, in every CLI run and every worker process. It costs ~11 s once, at install.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/skillpulse demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
