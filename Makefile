# exodus: `make` lists the targets. Every target sets itself up first.
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: help setup report test lint bench figures clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## install Debian packages (Chromium) and the Python venv, idempotently
	@bash scripts/setup.sh

report: setup ## render the shipped report to reports/authors/ (HTML, PDF, summary.json)
	@$(PY) -m analysis render $(ARGS)

test: setup ## run the whole test suite (helpers, notebooks, rendered report, browser)
	@$(PY) -m pytest $(ARGS)

lint: setup ## ruff: lint the package, tests, scripts and benchmarks
	@$(VENV)/bin/ruff check .

bench: setup ## run the benchmarks (benchmarks/): loading 1M rows, render stages
	@$(PY) benchmarks/bench_load.py
	@$(PY) benchmarks/bench_render.py

figures: setup ## redraw docs/charts.png, the README's picture, from the shipped data
	@$(PY) scripts/readme_figure.py

clean: ## remove rendered reports and caches (keeps .venv)
	rm -rf reports/*/ .pytest_cache
