# أرشيف — Arshif. `make run` serves; `make test` installs what the tests need and runs them all.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_LINK_MODE ?= copy
# Bytecode written at install time: where PYTHONDONTWRITEBYTECODE is set (this machine's image does), every
# `arshif` process would otherwise compile its ~550 modules again (about 1 s of CPU per CLI call or server).
export UV_COMPILE_BYTECODE ?= 1
BYTECODE = $(PY) -m compileall -q -j 0 service migrations
# The analyzer's compiled core (a plain C extension, built in place; see service/analysis/build_fast.py).
EXTENSIONS = $(PY) service/analysis/build_fast.py

.PHONY: run test soak install install-dev browser postgres migrate bench bench-quick eval lint clean

$(UV):
	python3 -m venv .tools && .tools/bin/pip install --quiet uv==0.13.8

install: $(UV)
	$(UV) sync --frozen --no-dev
	@$(EXTENSIONS)
	@$(BYTECODE)

install-dev: $(UV)
	$(UV) sync --frozen
	@$(EXTENSIONS)
	@$(BYTECODE)

migrate: install
	.venv/bin/arshif db upgrade

run: install migrate  ## install, migrate, serve on http://$(HOST):$(PORT)
	.venv/bin/arshif serve --host $(HOST) --port $(PORT)

browser:  ## headless Chromium from Debian (Playwright's own download cannot work offline)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium (need root and the Debian mirror)"; exit 1; }; }

postgres:  ## PostgreSQL server binaries from Debian; the tests start a throw-away cluster of their own
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
	  echo "installing Debian postgresql for the scale-out tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || { echo "could not install postgresql (need root and the Debian mirror)"; exit 1; }; }

test: lint browser postgres  ## the checks, then the whole suite
	$(PY) -m pytest -q -p no:cacheprovider -n auto  # one worker per core (pytest-xdist): most tests wait on a server or a subprocess

soak: install-dev  ## the reliability tests, longer: 20 kill -9 rounds, 5 minutes of load at 60 req/s
	ARSHIF_CRASH_ROUNDS=20 ARSHIF_LOAD_SECONDS=300 ARSHIF_LOAD_RATE=60 $(PY) -m pytest -q -s -p no:cacheprovider tests/reliability

bench-quick: install-dev
	$(PY) bench/run.py --quick --out bench/out/performance-quick.md  # docs/performance.md keeps the full run

bench: install-dev
	$(PY) bench/run.py

eval: install-dev  ## retrieval quality of the shipped /api/search ranking, then the analyzers alone (EVAL_ARGS="--set TITLE_BOOST=1")
	$(PY) bench/eval_shipped.py --analyzers $(EVAL_ARGS)

lint: install-dev  ## ruff (rules and formatting) over the code, mypy over service/
	.venv/bin/ruff check service tests bench
	.venv/bin/ruff format --check service tests bench
	.venv/bin/mypy

clean:
	rm -rf .venv .tools var .pytest_cache service/analysis/_fast.*.so
