# Thin wrapper over CMake presets. `make run` and `make test` work on a fresh
# Debian 12 machine: they install missing packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
ARGS ?=

.PHONY: all deps configure build run test test-sanitize bench soak docker-check clean

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

test-sanitize:
	@$(MAKE) test PRESET=sanitize

bench: build
	bash bench/compare.sh

# Start-up time, idle memory and memory over 1,000,000 AssumeRole calls.
soak: build
	bash bench/soak.sh $(ARGS)

# The container's build recipe, run on the host (no Docker engine needed).
docker-check:
	bash docker/check-recipe.sh

clean:
	rm -rf build
