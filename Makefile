# One command each to run, test, benchmark and lint RNN Explorer on a fresh machine.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test bench lint install screenshots pretrained results

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changes (torch==2.13.0 resolves to the machine's local CPU wheel).
$(STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --no-input -r requirements.txt
	touch $@

run: $(STAMP)
	exec $(VENV)/bin/python -m explorer.serve --server.address 127.0.0.1  # streamlit run app.py, started warm

# Everything but the browser tests on every core (one test file per worker: a file's tests share their setup),
# then the browser tests one at a time, since they time what a user waits for.
test: $(STAMP)
	$(VENV)/bin/python -m pytest -n auto --dist loadfile --ignore=tests/e2e
	$(VENV)/bin/python -m pytest tests/e2e

bench: $(STAMP)
	@set -e; for script in benchmarks/*.py; do \
		[ -e "$$script" ] || continue; \
		case "$$(basename $$script)" in _*) continue ;; esac; \
		echo "== $$script"; $(VENV)/bin/python "$$script"; \
	done

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Refresh the README's screenshots (docs/screenshots/*-default.png), taken by the browser test itself.
screenshots: $(STAMP)
	RNN_EXPLORER_SCREENSHOTS=docs/screenshots $(VENV)/bin/python -m pytest tests/e2e -q

# Retrain the shipped models (models/*.safetensors), their scores (results/pretrained.csv, whose *-bengio and
# window rows are Bengio et al.'s 2003 comparison) and how much context the word models use (results/context_*.csv).
# About 5 hours in one process here (from the speeds measured: 30-40 minutes for each word model with a core
# to itself, about 130 for the three character models, 63 for Bengio's nine); two processes at once
# (core.pretrained --only NAME ...) nearly halve it.
# Same code, same seeds, one thread: the same numbers. An interrupted run resumes from .snapshots/.
pretrained: $(STAMP)
	$(VENV)/bin/python -m core.pretrained
	$(VENV)/bin/python -m core.probes.context

# Recompute every cached reproduction under results/ (the pages show these; each page can also recompute).
results: $(STAMP)
	$(VENV)/bin/python -m core.reproductions.elman1990
	$(VENV)/bin/python -m core.reproductions.pascanu2013
	$(VENV)/bin/python -m core.probes.lag_sweep --out results/lag_sweep.csv
