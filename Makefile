# subwordx developer tasks. `make help` lists them.
# Everything installs into a local virtual environment ($(VENV)) from nothing but python3 + cargo.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
SHARED ?= ../shared

.PHONY: help install demo test test-rust test-python tiktoken-suite lint bench fuzz clean

help:  ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/python  ## build the Rust core (release) and install subwordx with its test tools
	$(PIP) install --quiet ".[test,lint]"

demo: $(VENV)/bin/python  ## install subwordx and train BPE on the embedded corpus
	$(PIP) install --quiet .
	$(VENV)/bin/subwordx demo

test-rust:  ## cargo tests of the core
	cargo test --locked -p subwordx-core

test-python: install  ## pytest, both backends (rust and the python reference)
	$(PY) -m pytest -q

test: test-rust test-python tiktoken-suite  ## everything CI runs

tiktoken-suite: install  ## tiktoken 0.14.0's own tests against subwordx.tiktoken (pip downloads them)
	$(PY) tests/run_tiktoken_suite.py --shared $(SHARED)

lint: install  ## clippy, rustfmt, ruff, mypy
	cargo clippy --locked --workspace --all-targets -- -D warnings
	cargo fmt --all --check
	$(VENV)/bin/ruff check python tests benches
	$(VENV)/bin/mypy

bench: $(VENV)/bin/python  ## side-by-side benchmarks against the anchors (see benches/README.md)
	$(PIP) install --quiet ".[bench]"
	$(PY) benches/bench_bpe.py --shared $(SHARED)

fuzz: install  ## fuzzing of every tokenizer and embedding file loader and the pipeline (5 minutes)
	$(PY) fuzz/fuzz_tokenizer_files.py 1 120
	$(PY) fuzz/fuzz_model_bytes.py 1 120
	$(PY) fuzz/fuzz_word2vec_files.py 1 60
	$(PY) fuzz/fuzz_sentencepiece.py 1 60
	$(PY) fuzz/fuzz_fasttext_bin.py 1 60

clean:  ## remove build outputs
	rm -rf target $(VENV) .pytest_cache .mypy_cache .ruff_cache
