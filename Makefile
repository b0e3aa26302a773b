# Circlekeep: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DEV    := DEBUG=true
PORT   ?= 8000
# The online rooms' websockets (config/asgi.py), on a second port of the same host.
WS_PORT ?= 8001
ROOMS  := ROOM_WS_URL=ws://127.0.0.1:$(WS_PORT)

.PHONY: install run code test bench bench-room lint messages assets screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "Circlekeep needs Python 3.11 or newer; $(PYTHON) is %d.%d" % v[:2])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The web server and, beside it, the task worker that sends notification e-mails and the
# ASGI server of the online rooms' websockets; Ctrl-C (or the server stopping) stops all.
run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py demo
	@echo "Circlekeep is at http://127.0.0.1:$(PORT)  (Ctrl-C stops it, its task worker and its room server)"
	@$(DEV) $(PY) manage.py db_worker --no-reload --interval 2 & worker=$$!; \
	$(DEV) $(ROOMS) $(VENV)/bin/uvicorn config.asgi:application --host 127.0.0.1 \
	  --port $(WS_PORT) --ws-max-size 65536 --ws-per-message-deflate false --no-access-log --log-level warning & rooms=$$!; \
	trap 'kill $$worker $$rooms 2>/dev/null; wait $$worker $$rooms 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(ROOMS) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The current two-step code of a demo staff account: make code WHO=amara@demo.circlekeep.test
code: install
	@$(DEV) $(PY) manage.py demo --code $(WHO)

test: install
	$(PY) manage.py makemigrations --check --dry-run --settings=config.settings_test > /dev/null
	$(PY) -m pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

bench: install
	$(PY) bench/run.py

# The online room under an evening's load on one ASGI node (bench/room.py); sizes from
# ROOM_BENCH_* in the environment, e.g. ROOM_BENCH_MEMBERS=200 make bench-room
bench-room: install
	$(PY) bench/room.py

lint: install
	$(VENV)/bin/ruff check .

messages: install
	$(DEV) $(PY) manage.py makemessages -l es --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*'
	$(DEV) $(PY) manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

# Rebuild the bundled browser code (charts, icon sprite) into static/dist/ from the npm
# lockfile; the built files are committed, so only changing them needs Node.
assets:
	npm ci --no-audit --no-fund --ignore-scripts
	node assets/build.mjs

# Pictures of the main pages for the README, from a throwaway demo (needs Chromium).
screenshots: install
	$(PY) docs/screenshots.py

clean:
	rm -rf $(VENV) var
