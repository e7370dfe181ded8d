# The two commands of the README: `make demo` and `make test`. Both set up .venv/ from the lockfile.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $(STAMP)

.PHONY: install browser demo test fuzz lock bench bench-pdq bench-match bench-watermark bench-case bench-api bench-ray bench-lifecycle

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/clearsight demo

# The browser tests drive Debian's chromium (Playwright never downloads a browser here).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium \
		|| { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends chromium; }

# On two processes (pytest-xdist; each PostgreSQL test has its own database, each test its own
# folders and ports), which halves CI's time on the two cores.
test: $(STAMP) browser
	$(VENV)/bin/python -m pytest -n 2 --dist worksteal

# The long fuzzing run: about 1,000,000 generated inputs across the parsers, on two processes
# (one per core), each input held to 5 s; `make test` runs the same targets briefly.
FUZZ_EXAMPLES ?= 170000
fuzz: $(STAMP)
	@CLEARSIGHT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/fuzz -k "bank or report or model" & first=$$!; \
	CLEARSIGHT_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/fuzz -k "generator or xmp or whole"; second=$$?; \
	wait $$first; first=$$?; exit $$(( first || second ))

lock:
	$(VENV)/bin/pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 -o requirements-bench.lock

bench: $(STAMP)
	$(VENV)/bin/pip install --quiet -r requirements-bench.lock
	$(VENV)/bin/python benchmarks/scan_throughput.py

bench-pdq: $(STAMP)
	$(VENV)/bin/pip install --quiet -r requirements-bench.lock
	$(VENV)/bin/python benchmarks/pdq_agreement.py

bench-match: $(STAMP)
	$(VENV)/bin/pip install --quiet -r requirements-bench.lock
	$(VENV)/bin/python benchmarks/match.py

bench-watermark: $(STAMP)
	$(VENV)/bin/pip install --quiet -r requirements-bench.lock
	$(VENV)/bin/pip install --quiet --no-deps invisible-watermark==0.2.0
	$(VENV)/bin/python benchmarks/watermark_decode.py

bench-case: $(STAMP)
	$(VENV)/bin/python benchmarks/case_matching.py

# wrk drives the load (Debian's package); without it the benchmark falls back to a Python client
# that takes much of the CPU the server needs.
bench-api: $(STAMP)
	@command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends wrk \
		|| { $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends wrk; } || true
	$(VENV)/bin/python benchmarks/api_load.py

bench-ray: $(STAMP)
	$(VENV)/bin/python benchmarks/ray_scale.py

bench-lifecycle: $(STAMP)
	$(VENV)/bin/python benchmarks/lifecycle_scale.py
