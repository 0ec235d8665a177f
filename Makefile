# hepatosim - plain GNU Makefile. `make run` and `make test` install missing Debian
# packages first (as root), then build; see README.md.
CC      ?= gcc
VERSION := 0.1.0
BUILD   := build

# Serial HDF5: `hdf5` may resolve to the MPI build when both are installed.
HDF5_PC  ?= hdf5-serial
PKGS     := $(HDF5_PC) yaml-0.1
# Debian ships no .pc file for SUNDIALS; override SUNDIALS_DIR on clusters.
SUNDIALS_DIR ?=
SUN_CFLAGS   := $(if $(SUNDIALS_DIR),-I$(SUNDIALS_DIR)/include)
comma := ,
SUN_LIBS     := $(if $(SUNDIALS_DIR),-L$(SUNDIALS_DIR)/lib -Wl$(comma)-rpath$(comma)$(SUNDIALS_DIR)/lib) \
                -lsundials_cvode -lsundials_nvecserial -lsundials_sunmatrixdense \
               
HDF5_DIR ?=
PC_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PC_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
H5_CFLAGS := $(if $(HDF5_DIR),-I$(HDF5_DIR)/include)
H5_LIBS   := $(if $(HDF5_DIR),-L$(HDF5_DIR)/lib -lhdf5 -lhdf5_hl)

OPT      ?= -O2
MPI_DEFS ?=
CFLAGS   ?= $(OPT) -g
# -Wno-format-truncation: messages and key paths are snprintf-truncated on purpose.
CFLAGS   += -fopenmp -std=c11 -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wno-format-truncation -MMD -MP -Iinclude -Isolver \
            $(MPI_DEFS) -DHS_VERSION='"$(VERSION)"' -DHS_DATA_DIR='"$(CURDIR)/model/data"' -DHS_PLOT_SCRIPT='"$(CURDIR)/solver/cli/hs_plot.py"' $(SUN_CFLAGS) $(H5_CFLAGS) $(PC_CFLAGS)
LDLIBS   += -fopenmp $(SUN_LIBS) $(H5_LIBS) $(PC_LIBS) -lhdf5_hl -lm

MODEL_SRC  := $(wildcard model/*.c)
SOLVER_SRC := $(filter-out solver/cli/main.c solver/cli/cli_sweep.c,$(wildcard solver/*/*.c))
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(MODEL_SRC) $(SOLVER_SRC))
MAIN_OBJ   := $(BUILD)/solver/cli/main.o $(BUILD)/solver/cli/cli_sweep.o
TEST_SRC   := $(wildcard tests/*.c)
TEST_OBJ   := $(patsubst %.c,$(BUILD)/%.o,$(TEST_SRC))
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

DEB_PKGS := build-essential pkg-config libsundials-dev libhdf5-dev libyaml-dev check \
            python3-h5py python3-xarray python3-h5netcdf python3-yaml python3-matplotlib \
            openmpi-bin libopenmpi-dev libhdf5-openmpi-dev procps

.PHONY: all run test validate sanitize valgrind bench deps print-config clean mpi
all: $(BUILD)/hepatosim

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The vector kernels CVODE spends most of a step in (solver/engine/nvec.c): let gcc vectorise them.
$(BUILD)/solver/engine/nvec.o: OPT = -O3

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(BUILD)/libhepatosim.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/hepatosim: $(MAIN_OBJ) $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/check_all: $(TEST_OBJ) $(BUILD)/libhepatosim.a
	$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) $(CHECK_LIBS) -o $@

# The MPI build: OpenMPI's mpicc against parallel HDF5 (hdf5-openmpi), in build-mpi/.
mpi: deps
	$(MAKE) CC=mpicc HDF5_PC=hdf5-openmpi BUILD=build-mpi MPI_DEFS=-DHS_MPI build-mpi/hepatosim
	@mkdir -p $(BUILD)
	cp build-mpi/hepatosim $(BUILD)/hepatosim-mpi

# Install the Debian packages that are missing (needs root; skipped when all present).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
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
	$(MAKE) $(BUILD)/hepatosim $(BUILD)/check_all
	$(MAKE) mpi
	cd tests && CK_DEFAULT_TIMEOUT=120 ../$(BUILD)/check_all
	cd tests && /usr/bin/python3 check_sweep_py.py
	cd tests && /usr/bin/python3 check_plot_py.py
	/usr/bin/python3 tests/readme_samples.py --bin $(BUILD)/hepatosim --check
	cd tests && /usr/bin/python3 check_modules.py ../$(BUILD)
	cd tests && /usr/bin/python3 check_codemap.py
	/usr/bin/python3 validation/validate.py --bin $(BUILD)/hepatosim --check
	/usr/bin/python3 tests/check_validation.py $(BUILD)

# The qualification suite against published measurements (validation/): writes
# output/validation/report.md, results.json and the plots.
validate: deps
	$(MAKE) $(BUILD)/hepatosim
	/usr/bin/python3 validation/validate.py --bin $(BUILD)/hepatosim --out output/validation

sanitize: deps
	$(MAKE) BUILD=build-san OPT="-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined" build-san/hepatosim build-san/check_all
	$(MAKE) mpi
	cd tests && CK_FORK=no ASAN_OPTIONS=detect_leaks=1 HS_BIN=../build-san/hepatosim ../build-san/check_all

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

print-config:
	@echo "CC           = $(CC)"
	@echo "HDF5 (pc)    = $(HDF5_PC): $$(pkg-config --modversion $(HDF5_PC) 2>/dev/null || echo not found)"
	@echo "libyaml      = $$(pkg-config --modversion yaml-0.1 2>/dev/null || echo not found)"
	@echo "check        = $$(pkg-config --modversion check 2>/dev/null || echo not found)"
	@echo "SUNDIALS     = $$(grep -h 'define SUNDIALS_VERSION ' $(if $(SUNDIALS_DIR),$(SUNDIALS_DIR)/include,/usr/include)/sundials/sundials_config.h 2>/dev/null || echo not found)"
	@echo "CFLAGS       = $(CFLAGS)"
	@echo "LDLIBS       = $(LDLIBS)"

clean:
	rm -rf build build-san build-mpi

-include $(wildcard $(BUILD)/*/*.d $(BUILD)/*/*/*.d $(BUILD)/*/*/*/*.d)
