# xeco: `make run` serves the demo on http://127.0.0.1:$(PORT); `make test` runs ruff and pytest.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app xeco
PORT ?= 5000
export PORT
# The app's own default (config/settings.py): beat keeps its schedule there.
INSTANCE := $(or $(XECO_INSTANCE_PATH),instance)

.PHONY: install run worker beat test test-fast lint format migrate seed clean bench translations

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "xeco needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --once

run: seed
	$(FLASK) serve --port $(PORT)

worker: install
	$(BIN)/celery -A xeco.worker worker --loglevel INFO

beat: install
	@mkdir -p "$(INSTANCE)"
	$(BIN)/celery -A xeco.worker beat --loglevel INFO --schedule "$(INSTANCE)/celerybeat-schedule"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(BIN)/python -m pytest

# Everything but the tests that start real worker processes or a browser (marked slow).
test-fast: lint
	$(BIN)/python -m pytest -m "not slow"

# After editing a .po: the .mo files are tracked, and a test checks that they match.
translations: install
	$(BIN)/pybabel compile -d xeco/translations

bench: install
	$(BIN)/python bench/bench_matching.py

clean:
	rm -rf $(VENV) instance .pytest_cache
