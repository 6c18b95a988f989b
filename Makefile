# mhs: top-level wrapper around CMake.
#   make run    install missing Debian packages, build, run scenarios/quickstart.yaml
#   make test   the same set-up, then the whole test suite through ctest
#   make asan   build with ASan + UBSan in build-asan/ and run the test suite
#   make bench  run the benchmarks (bench/README.md)
#   make bench-no-loss  the no-loss invariant on 10,000 seeded fault scenarios
#   make fuzz   build the libFuzzer targets with clang in build-fuzz/ and run
#               each for FUZZ_SECONDS (default 10) on a copy of its corpus;
#               FUZZ_TARGETS="smtp_server spf" picks some (tests/fuzz/README.md)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 10
FUZZ_TARGETS ?=

.PHONY: all deps configure build run test asan fuzz bench bench-no-loss clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/mhs run scenarios/quickstart.yaml

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DENABLE_SANITIZERS=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

# Warnings stay warnings here: clang warns about things gcc does not, and
# the gcc build (make test) is the one that enforces -Werror.
fuzz:
	@scripts/install-deps.sh --fuzz
	@cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DENABLE_FUZZING=ON -DMHS_WERROR=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz-all
	tests/fuzz/run-fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	bench/run.sh

bench-no-loss: build
	BUILD=$(BUILD) bench/no_loss.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
