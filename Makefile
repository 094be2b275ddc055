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

bench: setup ## benchmarks: load 1M rows vs pyarrow; render at 14/500/5,000/50,000 authors vs the floor (tables also in reports/)
	@$(PY) benchmarks/bench_load.py $(LOAD_ARGS)
	@$(PY) benchmarks/bench_render.py $(BENCH_ARGS)

figures: setup ## redraw docs/charts.png, the README's picture, from the shipped data
	@$(PY) scripts/readme_figure.py

clean: ## remove rendered reports and caches (keeps .venv)
	rm -rf reports/*/ .pytest_cache
