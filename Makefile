# Sentinelle: `make run` (build, then the demo in Chromium; headless: the demo scenario, printed)
# and `make test` (every test layer). Both install what is missing first (scripts/setup.sh).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# node_modules/.bin first: npm's binaryen (wasm-opt 132). Debian's wasm-opt 108 miscompiles
# wasm-bindgen's externref table (the engine fails to start), and wasm-pack uses the first on PATH.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

WASM_PACK_FLAGS := --target web --out-dir pkg --out-name sentinelle --no-pack
RUST_SOURCES := $(shell find src -name '*.rs') Cargo.toml Cargo.lock .cargo/config.toml

.PHONY: all setup build run run-intake test lint test-rust test-intake test-wasm test-js test-e2e test-fuzz bench bench-page bench-intake clean
all: build

setup:
	@bash scripts/setup.sh

pkg/sentinelle_bg.wasm: $(RUST_SOURCES)
	wasm-pack --log-level warn build --release $(WASM_PACK_FLAGS)
	@rm -f pkg/.gitignore

target/release/sentinelle: $(RUST_SOURCES)
	cargo build --release --locked --bin sentinelle

build: setup pkg/sentinelle_bg.wasm target/release/sentinelle
	node scripts/build-extension.mjs
	@printf 'wasm engine: %s bytes, %s gzipped\n' "$$(stat -c%s pkg/sentinelle_bg.wasm)" "$$(gzip -9c pkg/sentinelle_bg.wasm | wc -c)"

run: build
	node scripts/run-demo.mjs

# The helpline intake on a fresh demo database, with a demo admin whose password it prints.
run-intake: setup
	cargo build --release --locked -p sentinelle-intake
	bash scripts/run-intake.sh

lint: build
	cargo fmt --all --check
	cargo clippy --locked --all-targets -- -D warnings
	cargo clippy --locked -p sentinelle-intake --all-targets -- -D warnings
	cargo clippy --locked --lib --target wasm32-unknown-unknown -- -D warnings
	npx --no-install eslint .
	npx --no-install tsc -p jsconfig.json
	# Mozilla's own add-on linter on the Firefox build (what AMO runs): errors fail, warnings print.
	npx --no-install web-ext lint --source-dir dist/firefox --no-config-discovery

test-rust: setup
	cargo test --locked

# The intake's tests on SQLite and on a PostgreSQL cluster started (and removed) for them.
test-intake: setup
	bash scripts/with-postgres.sh cargo test --locked -p sentinelle-intake

test-wasm: setup
	wasm-pack --log-level warn test --headless --chrome --chromedriver /usr/bin/chromedriver -- --locked --test wasm_boundary

test-js: build
	node --test tests/js/

# A test that hangs fails after 3 minutes instead of holding the whole run. The report tests
# send to a real helpline intake (its debug build, which make test-intake also makes).
test-e2e: build
	cargo build --locked -p sentinelle-intake
	node --test --test-concurrency=1 --test-timeout=180000 tests/e2e/

# A few seconds of every cargo-fuzz target (nightly; skipped with a note without one).
test-fuzz: setup
	bash scripts/fuzz-smoke.sh

test: build lint test-rust test-intake test-wasm test-js test-e2e test-fuzz
	@echo "make test: every layer passed"

# What the extension costs a busy page with no upload (numbers, not a test).
bench-page: build
	node scripts/bench-page-cost.mjs

# The engine natively (criterion: PDQ with decode apart at 1 and 12 MP; analyze and strip per
# format) and in Chromium (www/bench/: wasm against exifr, strip throughput, PDQ).
bench: build
	cargo bench --locked --bench pdq -- --warm-up-time 1 --measurement-time 3
	cargo bench --locked --bench metadata -- --warm-up-time 1 --measurement-time 3
	cargo bench --locked --bench fixes
	node scripts/bench-browser.mjs
	node scripts/bench-fixes.mjs
	node scripts/face-recall.mjs

# The intake: reports accepted per second (SQLite, PostgreSQL) and PDQ lookups among 1 M and
# 10 M hashes against a brute-force scan (numbers, not a test).
bench-intake: setup
	cargo build --release --locked -p sentinelle-intake --examples
	target/release/examples/bench_intake
	PG_FSYNC=on bash scripts/with-postgres.sh target/release/examples/bench_intake --postgres
	target/release/examples/bench_pdq_index 1000000
	target/release/examples/bench_pdq_index 10000000
	python3 scripts/bench-pdq-faiss.py 1000000
	python3 scripts/bench-pdq-faiss.py 10000000

clean:
	rm -rf dist pkg target
