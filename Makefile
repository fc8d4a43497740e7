# Thin wrapper over CMake. `make test` and `make run` install missing Debian
# packages first (scripts/install-deps.sh), so both work on a fresh machine.
BUILD_DIR ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build test run check-config clean asan valgrind

all: build

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

run: build
	./scripts/run.sh

check-config: build
	for f in etc/*.ini; do $(BUILD_DIR)/bin/gpu-shopperd --check-config $$f || exit 1; done

asan:
	$(MAKE) test BUILD_DIR=build-asan CMAKE_FLAGS='-DGS_SANITIZE=address,undefined'

# Unit and plugin tests under valgrind memcheck, then the black-box tests with
# the daemon under valgrind (any error or leak fails the test).
valgrind: build
	cd $(BUILD_DIR) && ctest -T memcheck --output-on-failure -j $(JOBS) -L 'unit|plugin'
	cd $(BUILD_DIR) && GS_VALGRIND=1 ctest --output-on-failure -j $(JOBS) -L blackbox

clean:
	rm -rf build build-asan
