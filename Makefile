# Thin wrapper over CMake presets. `make run` and `make test` work on a fresh
# Debian 12 machine: they install missing packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
ARGS ?=

.PHONY: all deps configure build run test test-sanitize test-tsan fuzz-build fuzz-smoke fuzz bench bench-iam soak docker-check docker-test clean
FUZZ_SECONDS ?= 300

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build --preset $(PRESET)

run: build
	$(BUILD_DIR)/stsd $(ARGS)

test: build
	ctest --preset $(PRESET)
ifeq ($(PRESET),release)
	@$(MAKE) --no-print-directory fuzz-smoke
endif

test-sanitize:
	@$(MAKE) test PRESET=sanitize

# The server under ThreadSanitizer, driven by the concurrent end-to-end suites
# (1,000 connections, pipelining, parallel clients); any race stops the server
# (halt_on_error) and fails the suite.
test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan
	cd tests/e2e && STSD_BINARY=$(CURDIR)/build/tsan/stsd \
	  TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1" \
	  python3 -m unittest test_abuse test_boto3_actions test_federation test_policy test_iam_concurrency test_clock test_newest_sts

# libFuzzer targets (clang 14, ASan+UBSan, whole project instrumented in
# build/fuzz; see fuzz/README.md).
fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz

# Every seed and crash reproducer once, then 5 s of fuzzing per target.
fuzz-smoke: fuzz-build
	ctest --preset fuzz

# FUZZ_SECONDS per target; the corpus grows in build/fuzz/corpus-<target>/,
# crashes are kept in build/fuzz/artifacts/.
fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

bench: build
	bash bench/compare.sh --pin $(ARGS)

# IAM: GetRole and CreateRole next to moto, CreateRole with --state and with
# 10,000 roles stored, AssumeRole latency and RSS with 10,000 users and roles.
bench-iam: build
	bash bench/iam.sh --pin $(ARGS)

# Start-up time, idle memory and memory over 1,000,000 AssumeRole calls.
soak: build
	bash bench/soak.sh $(ARGS)

# The container's build recipe, run on the host (no Docker engine needed).
docker-check:
	bash docker/check-recipe.sh

# The image with a real Docker engine (installs docker.io and starts dockerd
# when needed; root). Not in CI: see docker/README.md.
docker-test:
	bash docker/engine-test.sh $(ARGS)

clean:
	rm -rf build
