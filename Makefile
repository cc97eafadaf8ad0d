# The course's commands. The first two are all a newcomer needs:
#   make run    run every lesson's scripts against real services
#   make test   run every test and execute every notebook
# Each bootstraps itself: it creates .venv, installs the course when pyproject.toml changes,
# and starts the services (Docker if an engine answers, embedded servers otherwise).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COURSE := $(BIN)/python -m course

.DEFAULT_GOAL := help
.PHONY: help install run test lint format services-up services-down status doctor notebooks clean check progress clean-notebooks bench docs

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: the course needs Python 3.11 or newer; run make with PYTHON=python3.11 (or newer)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(INSTALLED) ## create .venv and install the course (done by every command)

run: $(INSTALLED) ## start the services, run every lesson script, show a summary
	$(COURSE) run

test: $(INSTALLED) ## run every lesson's tests and notebooks (starts and stops services)
	$(COURSE) test

lint: $(INSTALLED) ## check style and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services-up: $(INSTALLED) ## start PostgreSQL, MongoDB, Redis and S3 (Docker or embedded)
	$(COURSE) services up

services-down: $(INSTALLED) ## stop the services that services-up started
	$(COURSE) services down

status: $(INSTALLED) ## show each service, its URL and a real round trip
	$(COURSE) services status

doctor: $(INSTALLED) ## check Python, packages, Docker and services, with fixes
	$(COURSE) doctor

check: $(INSTALLED) ## check your exercises (course check LESSON EXERCISE for one)
	$(COURSE) check

progress: $(INSTALLED) ## show which exercises pass and the hints used
	$(COURSE) progress

notebooks: $(INSTALLED) ## start the services and open JupyterLab at the repository root
	$(COURSE) services up
	$(BIN)/jupyter lab --notebook-dir=.

clean-notebooks: $(INSTALLED) ## clear every notebook's outputs (do it before a commit)
	$(COURSE) notebooks --clean

bench: $(INSTALLED) ## run every lesson's benchmarks: BENCHMARKS.md and benchmarks.json
	$(COURSE) bench

docs: $(INSTALLED) ## build the course site into site/ (notebooks executed, strict links)
	$(COURSE) docs

clean: ## stop the services and delete .venv and .services (your code is kept)
	-test -x $(BIN)/python && $(COURSE) services down
	rm -rf $(VENV) .services
