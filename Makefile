# Set-up and the two commands the README gives: `make demo` and `make test`.
# The virtual environment is created on first use and refreshed when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

# Prints the interpreter's version, to tell whether .venv was made by $(PYTHON).
PYTHON_VERSION := import sys; print(sys.version)

# A .venv left by another Python, such as a failed `make demo PYTHON=python3.12`,
# is removed first: `python -m venv` would keep its interpreter and fail again.
$(STAMP): pyproject.toml
	@wanted="$$($(PYTHON) -c '$(PYTHON_VERSION)')" || exit 1; \
	if [ -d $(VENV) ] && \
	   [ "$$($(BIN)/python -c '$(PYTHON_VERSION)' 2>/dev/null)" != "$$wanted" ]; then \
		echo "$(VENV) was made by another Python than $(PYTHON); recreating it"; \
		rm -rf $(VENV); \
	fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cityline demo

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

# Fails while a `cityline serve` holds its lock on the lock file given.
SERVE_STOPPED := import fcntl, os, sys; \
	fcntl.flock(os.open(sys.argv[1], os.O_RDONLY), fcntl.LOCK_EX | fcntl.LOCK_NB)

# Only the demo's data: cityline-data is also every command's default data dir,
# where a city's own crawl, reports and settings may live. Not under a running
# server, which would go on writing to a deleted database.
clean:
	@if [ -f cityline-data/demo/serve.lock ] && \
	   ! $(PYTHON) -c '$(SERVE_STOPPED)' cityline-data/demo/serve.lock 2>/dev/null; then \
		echo "a cityline serve is running with cityline-data/demo; stop it first"; \
		exit 1; \
	fi
	rm -rf $(VENV) cityline-data/demo
