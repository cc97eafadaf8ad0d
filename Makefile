# The course's commands. The first two are all a newcomer needs:
#   make run    run every lesson's scripts against real services
#   make test   run every test and execute every notebook
# Each bootstraps itself: it creates .venv, installs the course when pyproject.toml changes,
# and starts the services (Docker if an engine answers, embedded servers otherwise).

# The Python that makes .venv: `make PYTHON=python3.12 install` (a name or a path) chooses one.
# Otherwise make takes the first of these that runs and can make a virtual environment:
# the newest Python for which every embedded server has a wheel, then older ones, then 3.14,
# where the embedded MongoDB (SecantusDB) has no wheel yet (Docker mode has MongoDB there).
# `.venv` keeps the Python that made it; `rm -rf .venv && make install` chooses again.
PYTHON_PREFERENCE := python3.13 python3.12 python3.11 python3.14 python3
PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
COURSE := $(BIN)/python -m course

.DEFAULT_GOAL := help
.PHONY: help install run test lint format services-up services-down status doctor notebooks clean check progress clean-notebooks bench docs

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# Prints "ok VERSION", or "no WHY" for a Python the course cannot use (% formatting, not
# f-strings, so that an old Python gets this far and says its version)
define PYTHON_PROBE_SOURCE
import importlib.util, sys
v = sys.version_info
if v < (3, 11, 4):
    print("no it is Python %d.%d.%d, the course needs 3.11.4 or newer (older ones have no tarfile extraction filters, which 02-filesystem uses)" % v[:3])
elif importlib.util.find_spec("ensurepip") is None:
    print("no it cannot make a virtual environment (Debian, Ubuntu: apt install python%d.%d-venv)" % v[:2])
else:
    print("ok %d.%d.%d" % v[:3])
endef

# Makes .venv with the chosen Python and says in one line which and why; a .venv that
# exists is kept, and one made by another Python than PYTHON= asks for is an error
define MAKE_VENV_SOURCE
probe() {
  command -v "$1" >/dev/null 2>&1 || { echo "no it is not on PATH"; return; }
  "$1" -c "$PYTHON_PROBE" 2>/dev/null || echo "no it does not run: $("$1" -c pass 2>&1 | sed -n '/./{p;q;}')"
}
fail() { echo "error: $*" >&2; exit 1; }
if [ -n "$PYTHON" ]; then
  asked=$(probe "$PYTHON")
  case $asked in ok*) ;; *) fail "PYTHON=$PYTHON: ${asked#no }";; esac
fi
if [ -e "$VENV/bin/python" ] || [ -L "$VENV/bin/python" ]; then
  found=$(probe "$VENV/bin/python")
  case $found in ok*) ;; *) fail "$VENV/bin/python does not run (the Python that made $VENV moved or was removed); rebuild it: rm -rf $VENV && make install";; esac
  if [ -n "$PYTHON" ] && [ "${asked%.*}" != "${found%.*}" ]; then
    fail "$VENV was made by Python ${found#ok }, not by PYTHON=$PYTHON (Python ${asked#ok }); to rebuild it with that one: rm -rf $VENV && make PYTHON=$PYTHON install"
  fi
  echo "make: $VENV has Python ${found#ok }, from when it was made (rm -rf $VENV && make install chooses again)"
  exit 0
fi
if [ -n "$PYTHON" ]; then
  chosen=$PYTHON found=$asked why="as PYTHON= asks"
else
  chosen="" skipped=""
  for candidate in $PYTHON_PREFERENCE; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    found=$(probe "$candidate")
    case $found in ok*) chosen=$candidate; break;; esac
    skipped="$skipped; $candidate: ${found#no }"
  done
  [ -n "$chosen" ] || fail "no Python 3.11.4 or newer found (tried $PYTHON_PREFERENCE$skipped); install Python 3.13, or give one: make PYTHON=/path/to/python3 install"
  case ${found#ok } in
    3.11.*|3.12.*|3.13.*) why="the newest Python here with a wheel for every embedded server";;
    3.14.*) why="no Python 3.11-3.13 here, and on 3.14 the embedded MongoDB does not install (SecantusDB has no wheel; Docker mode has MongoDB)";;
    *) why="no Python 3.11-3.14 here (the course is tested on those)";;
  esac
  [ -z "$skipped" ] || why="$why (skipped ${skipped#; })"
  why="$why; make PYTHON=... chooses another"
fi
echo "make: $chosen (Python ${found#ok }) makes $VENV: $why"
"$chosen" -m venv "$VENV"
endef
export PYTHON PYTHON_PREFERENCE VENV
export PYTHON_PROBE := $(value PYTHON_PROBE_SOURCE)
export MAKE_VENV := $(value MAKE_VENV_SOURCE)

# uv (one of the course's dev tools, installed first with pip) installs the course: the same
# versions as pip, with a third less CPU and in a third of the time on 2 cores, as it
# downloads and compiles in parallel (compiled, as pip does: every test process imports the
# bytecode). uv reads no pip.conf: where it cannot install (an index set up for pip only,
# say), pip installs the course instead.
$(INSTALLED): pyproject.toml
	@sh -c "$$MAKE_VENV"
	$(BIN)/python -m pip install --quiet 'uv>=0.5,<1' && \
	  $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode -e '.[dev]' || \
	  { echo "make: uv did not install the course; pip installs it instead"; \
	    $(BIN)/python -m pip install --quiet -e '.[dev]'; }
	@touch $@

install: $(INSTALLED) ## create .venv and install the course (done by every command)

run: $(INSTALLED) ## start the services, run every lesson script, show a summary
	$(COURSE) run

test: $(INSTALLED) ## run every lesson's tests and notebooks (starts and stops services)
	$(COURSE) test

lint: $(INSTALLED) ## check style and formatting with ruff, and security findings with bandit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -q -r .

format: $(INSTALLED) ## fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

services-up: $(INSTALLED) ## start every service the lessons list: PostgreSQL, MongoDB, Redis, S3, GCS, Azure, Memcached
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
