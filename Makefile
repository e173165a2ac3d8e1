# The README's two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck pytest bench install migrate seed demo-account static clean messages

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_reference_data

demo-account: seed
	$(BIN)/python manage.py ensure_demo_account

static: install
	$(BIN)/python manage.py collectstatic --noinput -v 0

run: demo-account static
	@echo "Serving fieldsync on http://127.0.0.1:$(PORT)/  (admin: /admin/, health: /api/v1/health/)"
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		$(BIN)/celery -A config worker --loglevel=INFO --concurrency=2 -n main@%h & \
		$(BIN)/celery -A config worker --loglevel=INFO --concurrency=1 -n duplicates@%h \
			-Q $${DUPLICATES_QUEUE:-duplicates} & \
		$(BIN)/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	fi; \
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

# A simulated stretch of field work against this server (or SIM_ARGS="--server URL" for a running
# one on the same database); prints a summary and fails if a tablet diverges or a record is lost.
.PHONY: simulate
simulate: seed
	$(BIN)/python manage.py simulate_field $(SIM_ARGS)

# Demo records whose yearly casualty totals follow Laos' published figures, written through the
# sync engine; the same seed gives the same records (DEMO_ARGS="--years 2015-2026 --seed 2").
.PHONY: demo-data
demo-data: seed
	$(BIN)/python manage.py generate_demo_data $(DEMO_ARGS)

# Lao: collect the project's strings into locale/lo (django and djangojs), compile every catalogue.
# Translate the empty and fuzzy entries in between; tests/config/test_lao_catalogue.py lists them.
MESSAGES_IGNORE := --ignore=tests --ignore=benchmarks --ignore=var --ignore=test-output
messages: install
	$(BIN)/python manage.py makemessages -l lo $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -l lo -d djangojs $(MESSAGES_IGNORE)
	$(BIN)/python manage.py compilemessages -l lo --ignore=.venv --ignore=var

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layout's arrows: [tool.importlinter] in pyproject.toml

typecheck: install
	$(BIN)/mypy .

pytest: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
