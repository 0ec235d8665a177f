# hepatosim - plain GNU Makefile. `make run` and `make test` install missing Debian
# packages first (as root), then build; see README.md.
CC      ?= gcc
VERSION := 0.1.0
BUILD   := build

# ---- dependencies, each resolved on its own (issue 15, finding 9) -----------------------
# A prefix (HDF5_DIR, SUNDIALS_DIR, YAML_DIR: include/ and lib/ or lib64/, as cluster modules
# install them; linked with an rpath) wins over pkg-config (HDF5_PC, YAML_PC); without
# either, the compiler's own paths (CPATH, LIBRARY_PATH of a loaded module) are tried. One
# missing .pc file never drops another dependency's flags, and a build that cannot find a
# dependency stops naming it. `make print-config` shows what was found where.
# Serial HDF5: `hdf5` may resolve to the MPI build when both are installed.
HDF5_PC      ?= hdf5-serial
HDF5_DIR     ?=
YAML_PC      ?= yaml-0.1
YAML_DIR     ?=
# Debian ships no .pc file for SUNDIALS: its system paths serve unless SUNDIALS_DIR is set.
SUNDIALS_DIR ?=
comma := ,
# libdir PREFIX LIB: PREFIX/lib64 when it holds libLIB, else PREFIX/lib.
libdir = $(if $(wildcard $(1)/lib64/lib$(2).*),$(1)/lib64,$(1)/lib)
# dep_cflags PREFIX PC: -I of the prefix, else pkg-config's.
dep_cflags = $(if $(1),-I$(1)/include,$(shell pkg-config --cflags $(2) 2>/dev/null))
# dep_libs PREFIX LIB PC LIBS: the prefix's library directory with its rpath, else
# pkg-config's -L; then LIBS (always: a missing .pc file still links what the paths hold).
dep_libs = $(if $(1),-L$(call libdir,$(1),$(2)) -Wl$(comma)-rpath$(comma)$(call libdir,$(1),$(2)),$(filter-out -l%,$(shell pkg-config --libs $(3) 2>/dev/null))) $(4)
# probe HEADER EXPR FLAGS: EXPR after the preprocessor with HEADER included (the version
# macros), empty when the compiler cannot find HEADER with FLAGS.
probe = $(shell out=$$(printf '\043include <$(1)>\n$(2)\n' | $(CC) $(3) -E -P -x c - 2>/dev/null) && echo "$$out" | tail -n 1 | tr -d ' "')
# version PREFIX HEADER LIB EXPR FLAGS: probe's answer; with a prefix, only if the prefix
# itself holds HEADER and libLIB (the system's copy must not pass for it).
version = $(if $(1),$(if $(and $(wildcard $(1)/include/$(2)),$(wildcard $(call libdir,$(1),$(3))/lib$(3).*)),$(call probe,$(2),$(4),$(5))),$(call probe,$(2),$(4),$(5)))
# from PREFIX NAME PC: where a dependency's flags come from, in words.
from = $(if $(1),$(2)_DIR=$(1),pkg-config $(3)$(if $(shell pkg-config --exists $(3) 2>/dev/null && echo y),, (no such .pc file: the compiler's paths)))

HDF5_CFLAGS := $(call dep_cflags,$(HDF5_DIR),$(HDF5_PC))
HDF5_LIBS   := $(call dep_libs,$(HDF5_DIR),hdf5,$(HDF5_PC),-lhdf5_hl -lhdf5 $(filter-out -lhdf5,$(filter -l%,$(if $(HDF5_DIR),,$(shell pkg-config --libs $(HDF5_PC) 2>/dev/null)))))
YAML_CFLAGS := $(call dep_cflags,$(YAML_DIR),$(YAML_PC))
YAML_LIBS   := $(call dep_libs,$(YAML_DIR),yaml,$(YAML_PC),-lyaml)
SUN_CFLAGS  := $(if $(SUNDIALS_DIR),-I$(SUNDIALS_DIR)/include)
SUN_LIBS    := $(if $(SUNDIALS_DIR),$(call dep_libs,$(SUNDIALS_DIR),sundials_cvode,,)) \
               -lsundials_cvode -lsundials_nvecserial -lsundials_sunmatrixdense
# Where each came from, and (evaluated once, when a recipe or print-config needs it) its
# version read from its headers: empty means not found.
HDF5_FROM = $(call from,$(HDF5_DIR),HDF5,$(HDF5_PC))
YAML_FROM = $(call from,$(YAML_DIR),YAML,$(YAML_PC))
SUN_FROM  = $(if $(SUNDIALS_DIR),SUNDIALS_DIR=$(SUNDIALS_DIR) (libraries in $(call libdir,$(SUNDIALS_DIR),sundials_cvode)),the compiler's paths (SUNDIALS_DIR not set))
HDF5_VERSION = $(eval HDF5_VERSION := $$(call version,$$(HDF5_DIR),hdf5.h,hdf5,H5_VERS_MAJOR.H5_VERS_MINOR.H5_VERS_RELEASE,$$(HDF5_CFLAGS)))$(HDF5_VERSION)
YAML_VERSION = $(eval YAML_VERSION := $$(call version,$$(YAML_DIR),yaml.h,yaml,found,$$(YAML_CFLAGS)))$(YAML_VERSION)
SUN_VERSION  = $(eval SUN_VERSION := $$(call version,$$(SUNDIALS_DIR),sundials/sundials_config.h,sundials_cvode,SUNDIALS_VERSION,$$(SUN_CFLAGS)))$(SUN_VERSION)
# Expanded in every compile recipe: stop at once, naming what is missing and what to set.
need_deps = $(if $(HDF5_VERSION),,$(error HDF5 not found (no hdf5.h) via $(HDF5_FROM): install it (make deps) or set HDF5_DIR=<prefix with include/ and lib/> or HDF5_PC=<pkg-config name>))$(if $(YAML_VERSION),,$(error libyaml not found (no yaml.h) via $(YAML_FROM): install it (make deps) or set YAML_DIR=<prefix>))$(if $(SUN_VERSION),,$(error SUNDIALS not found (no sundials/sundials_config.h) via $(SUN_FROM): install it (make deps) or set SUNDIALS_DIR=<prefix with include/ and lib/ or lib64/>))

OPT      ?= -O2
MPI_DEFS ?=
CFLAGS   ?= $(OPT) -g
# -Wno-format-truncation: messages and key paths are snprintf-truncated on purpose.
CFLAGS   += -fopenmp -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -MMD -MP -Iinclude -Isolver \
            $(MPI_DEFS) -DHS_VERSION='"$(VERSION)"' -DHS_DATA_DIR='"$(CURDIR)/model/data"' -DHS_PLOT_SCRIPT='"$(CURDIR)/solver/cli/hs_plot.py"' $(SUN_CFLAGS) $(HDF5_CFLAGS) $(YAML_CFLAGS)
LDLIBS   += -fopenmp $(SUN_LIBS) $(HDF5_LIBS) $(YAML_LIBS) -lm

MODEL_SRC  := $(wildcard model/*.c)
SOLVER_SRC := $(filter-out solver/cli/main.c solver/cli/cli_sweep.c solver/cli/cli_sens.c,$(wildcard solver/*/*.c))
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(MODEL_SRC) $(SOLVER_SRC))
MAIN_OBJ   := $(BUILD)/solver/cli/main.o $(BUILD)/solver/cli/cli_sweep.o $(BUILD)/solver/cli/cli_sens.o
TEST_SRC   := $(wildcard tests/*.c)
TEST_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

DEB_PKGS := build-essential pkg-config libsundials-dev libhdf5-dev libyaml-dev check \
            python3-h5py python3-xarray python3-h5netcdf python3-yaml python3-matplotlib \
            openmpi-bin libopenmpi-dev libhdf5-openmpi-dev procps

.PHONY: all run test validate sanitize valgrind bench deps print-config clean mpi fuzz fuzz-replay
all: $(BUILD)/hepatosim

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)$(need_deps)
	$(CC) $(CFLAGS) -c $< -o $@

# The vector kernels CVODE spends most of a step in (solver/engine/nvec.c): let gcc vectorise them.
$(BUILD)/solver/engine/nvec.o: OPT = -O3

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)$(need_deps)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/libhepatosim.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/hepatosim: $(MAIN_OBJ) $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/check_all: $(TEST_OBJ) $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) $(CHECK_LIBS) -o $@

# The MPI build, in build-mpi/: MPICC against parallel HDF5, Debian's hdf5-openmpi unless
# HDF5_PC is given, or the prefix MPI_HDF5_DIR (default HDF5_DIR: `make mpi HDF5_DIR=...`
# with a cluster's parallel HDF5 module). With a prefix given, `deps` installs nothing.
MPICC        ?= mpicc
MPI_HDF5_PC  ?= $(if $(filter command line environment,$(origin HDF5_PC)),$(HDF5_PC),hdf5-openmpi)
MPI_HDF5_DIR ?= $(HDF5_DIR)
mpi: deps
	$(MAKE) CC=$(MPICC) HDF5_PC=$(MPI_HDF5_PC) HDF5_DIR=$(MPI_HDF5_DIR) BUILD=build-mpi MPI_DEFS=-DHS_MPI build-mpi/hepatosim
	@mkdir -p $(BUILD)
	cp build-mpi/hepatosim $(BUILD)/hepatosim-mpi

# Install the Debian packages that are missing (needs root; skipped when all present, and
# when a prefix is given: a cluster's modules provide the libraries, not apt).
deps:
	@if [ -n "$(HDF5_DIR)$(SUNDIALS_DIR)$(YAML_DIR)$(MPI_HDF5_DIR)" ]; then \
	  echo "deps: prefixes given (HDF5_DIR, SUNDIALS_DIR, YAML_DIR): no Debian packages installed"; exit 0; fi; \
	missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or: sudo apt-get install$$missing)"; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

run: deps
	$(MAKE) all
	@mkdir -p output
	$(BUILD)/hepatosim run scenarios/default.yaml -o output/default.h5 --force

test: deps
	$(MAKE) $(BUILD)/hepatosim $(BUILD)/check_all $(FUZZ_REPLAY)
	$(MAKE) mpi
	cd tests && CK_DEFAULT_TIMEOUT=120 ../$(BUILD)/check_all
	cd tests && /usr/bin/python3 check_sweep_py.py
	cd tests && /usr/bin/python3 check_plot_py.py
	cd tests && /usr/bin/python3 check_sens_py.py
	/usr/bin/python3 tests/readme_samples.py --bin $(BUILD)/hepatosim --check
	cd tests && /usr/bin/python3 check_modules.py ../$(BUILD)
	cd tests && /usr/bin/python3 check_codemap.py
	tests/check_build.sh $(BUILD)/hepatosim
	$(MAKE) fuzz-replay
	/usr/bin/python3 validation/validate.py --bin $(BUILD)/hepatosim --check
	/usr/bin/python3 tests/check_validation.py $(BUILD)

# The SLURM templates (scenarios/hpc/) under a private single-node SLURM started by the
# test itself (as root; ~5 min on 2 cores, not part of `make test`): tests/slurm/.
SLURM_PKGS := slurmctld slurmd slurm-client munge
.PHONY: test-slurm
test-slurm:
	$(MAKE) deps DEB_PKGS="$(DEB_PKGS) $(SLURM_PKGS)"
	$(MAKE) $(BUILD)/hepatosim
	$(MAKE) mpi
	tests/slurm/run_slurm_test.sh

# The qualification suite against published measurements (validation/): writes
# output/validation/report.md, results.json and the plots.
validate: deps
	$(MAKE) $(BUILD)/hepatosim
	/usr/bin/python3 validation/validate.py --bin $(BUILD)/hepatosim --out output/validation

SAN_VARS = BUILD=build-san OPT="-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined"
sanitize: deps
	$(MAKE) $(SAN_VARS) build-san/hepatosim build-san/check_all
	$(MAKE) mpi
	cd tests && CK_FORK=no ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp HS_BIN=../build-san/hepatosim ../build-san/check_all
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp $(MAKE) $(SAN_VARS) fuzz-replay

valgrind:
	$(MAKE) deps DEB_PKGS="$(DEB_PKGS) valgrind"
	$(MAKE) $(BUILD)/hepatosim $(BUILD)/check_all
	$(MAKE) mpi
	cd tests && CK_FORK=no valgrind --error-exitcode=9 --leak-check=full -q ../$(BUILD)/check_all

$(BUILD)/bench_%: $(BUILD)/bench/bench_%.o $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Performance figures (not part of `make test`): bench/results.json.
bench: deps
	$(MAKE) $(BUILD)/hepatosim $(BUILD)/bench_run $(BUILD)/bench_accuracy
	$(MAKE) mpi
	bench/run.sh

# ---- fuzzing (issue 15) -------------------------------------------------------------------
# tests/fuzz/: libFuzzer targets for the scenario loader, the drug-library loader and the
# sweep-file reader. `make fuzz` builds them with clang (ASan + UBSan) into build-fuzz/ and
# runs each for FUZZ_TIME seconds from its seeds and its growing corpus in
# FUZZ_OUT/<target>/corpus; a crash is written as FUZZ_OUT/<target>/crash-<sha1> and becomes
# a fixture in tests/fixtures/fuzz/<target>/, which `make test` replays through the same
# targets built with replay.c instead of libFuzzer.
FUZZ_TARGETS := scenario library sweepfile
FUZZ_TIME    ?= 60
FUZZ_OUT     ?= output/fuzz
FUZZ_SEEDS_scenario  := $(sort $(patsubst %/,%,$(dir $(wildcard scenarios/*.yaml scenarios/*/*.yaml)))) \
                        tests/fixtures/bad tests/fixtures/sweep tests/fixtures/fuzz/scenario
FUZZ_SEEDS_library   := $(patsubst %/,%,$(dir $(wildcard model/data/drugs/*.yaml tests/fixtures/*/drugs/*.yaml))) \
                        tests/fixtures/fuzz/library
FUZZ_SEEDS_sweepfile := tests/fixtures/fuzz/sweepfile
FUZZ_REPLAY := $(patsubst %,$(BUILD)/fuzz_replay_%,$(FUZZ_TARGETS))
.SECONDARY: $(patsubst %.c,$(BUILD)/%.o,$(wildcard tests/fuzz/*.c))

$(BUILD)/fuzz_replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(BUILD)/tests/fuzz/fuzz_util.o $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/fuzz_util.o $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) $^ $(LDLIBS) -o $@

# The seed corpus and every crash fixture through each target (part of `make test`).
fuzz-replay: $(FUZZ_REPLAY)
	$(foreach t,$(FUZZ_TARGETS),$(BUILD)/fuzz_replay_$(t) $(sort $(FUZZ_SEEDS_$(t))) &&) true

fuzz:
	$(MAKE) deps DEB_PKGS="$(DEB_PKGS) clang"
	$(MAKE) CC=clang BUILD=build-fuzz OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -Wno-unknown-warning-option -Wno-pass-failed" \
	  LDFLAGS="-fsanitize=address,undefined" $(patsubst %,build-fuzz/fuzz_%,$(FUZZ_TARGETS))
	@$(foreach t,$(FUZZ_TARGETS),mkdir -p $(FUZZ_OUT)/$(t)/corpus; \
	  echo "fuzz $(t): $(FUZZ_TIME) s, log in $(FUZZ_OUT)/$(t)/log.txt"; \
	  build-fuzz/fuzz_$(t) -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -timeout=30 \
	    -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -artifact_prefix=$(FUZZ_OUT)/$(t)/ \
	    $(FUZZ_OUT)/$(t)/corpus $(sort $(FUZZ_SEEDS_$(t))) > $(FUZZ_OUT)/$(t)/log.txt 2>&1; \
	  grep -E '^#[0-9]+: cov: .* exec/s' $(FUZZ_OUT)/$(t)/log.txt | tail -n 1; \
	  grep -hE '^SUMMARY' $(FUZZ_OUT)/$(t)/log.txt | sort | uniq -c;) \
	crashes=$$(ls $(foreach t,$(FUZZ_TARGETS),$(FUZZ_OUT)/$(t)/crash-* $(FUZZ_OUT)/$(t)/timeout-* $(FUZZ_OUT)/$(t)/oom-*) 2>/dev/null); \
	if [ -n "$$crashes" ]; then printf 'found (add each to tests/fixtures/fuzz/<target>/, which make test replays):\n%s\n' "$$crashes"; exit 1; fi; \
	echo "no crash; inputs that crash go to $(FUZZ_OUT)/<target>/crash-*"

print-config:
	@echo "CC           = $(CC)"
	@echo "HDF5         = $(or $(HDF5_VERSION),NOT FOUND) from $(HDF5_FROM)"
	@echo "libyaml      = $(if $(YAML_VERSION),$(or $(shell pkg-config --modversion $(YAML_PC) 2>/dev/null),found),NOT FOUND) from $(YAML_FROM)"
	@echo "SUNDIALS     = $(or $(SUN_VERSION),NOT FOUND) from $(SUN_FROM)"
	@echo "check        = $$(pkg-config --modversion check 2>/dev/null || echo not found)"
	@echo "CFLAGS       = $(CFLAGS)"
	@echo "LDLIBS       = $(LDLIBS)"

clean:
	rm -rf build build-san build-mpi build-fuzz

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)
