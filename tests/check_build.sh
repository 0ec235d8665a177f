#!/usr/bin/env bash
# check_build.sh - `make test-build` (issue 15, finding 9): a build against prefixes laid
# out like a cluster's modules, without HDF5's .pc file (Debian's serial HDF5 copied to
# PREFIX/{include,lib}, SUNDIALS to PREFIX/{include,lib64}), then a small sweep with the
# binary. Checks: print-config names each dependency's source truthfully; libyaml keeps its
# flags; the binary's RUNPATH finds the copied libraries; its sweep equals the normal
# build's bit for bit; a missing dependency stops the build naming it; `make mpi` takes the
# compiler and prefix and installs nothing. Usage: tests/check_build.sh [build/hepatosim]
set -euo pipefail
cd "$(dirname "$0")/.."
unset MAKEFLAGS MFLAGS MAKELEVEL LD_LIBRARY_PATH # its own makes and loader paths, not the caller's
if [ ! -d /usr/include/hdf5/serial ] || [ ! -e /usr/include/sundials/sundials_config.h ]; then
  echo "check_build: skipped (it copies Debian's libhdf5-dev and libsundials-dev)"
  exit 0
fi
ref_bin=${1:-build/hepatosim}
tmp=$(mktemp -d /tmp/hs_build_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
lib=/usr/lib/x86_64-linux-gnu
pass=0
fail() { echo "check_build: FAILED: $*" >&2; exit 1; }
ok() { pass=$((pass + 1)); }
has() { grep -qF -- "$2" <<< "$1" || fail "no '$2' in: $1"; }

# The prefixes: what a module tree holds (no .pc files), SUNDIALS under lib64.
mkdir -p "$tmp"/hdf5/{include,lib} "$tmp"/sundials/{include,lib64} "$tmp/pc" "$tmp/empty"
cp /usr/include/hdf5/serial/*.h "$tmp/hdf5/include/"
cp -P "$lib"/libhdf5_serial.so* "$lib"/libhdf5_serial_hl.so* "$tmp/hdf5/lib/"
ln -s libhdf5_serial.so "$tmp/hdf5/lib/libhdf5.so"
ln -s libhdf5_serial_hl.so "$tmp/hdf5/lib/libhdf5_hl.so"
for d in sundials cvode nvector sunmatrix sunlinsol sunnonlinsol sunmemory; do
  cp -r "/usr/include/$d" "$tmp/sundials/include/"
done
cp -P "$lib"/libsundials_*.so* "$tmp/sundials/lib64/"
# pkg-config sees libyaml's .pc file and nothing else: HDF5's is missing, as on a cluster.
cp "$lib/pkgconfig/yaml-0.1.pc" "$tmp/pc/"
export PKG_CONFIG_LIBDIR="$tmp/pc" PKG_CONFIG_PATH=
vars=(HDF5_DIR="$tmp/hdf5" SUNDIALS_DIR="$tmp/sundials" BUILD="$tmp/build" OPT=-O0)

cfg=$(make -s print-config "${vars[@]}")
has "$cfg" "HDF5         = 1.10.8 from HDF5_DIR=$tmp/hdf5"
has "$cfg" "libyaml      = 0.2.5 from pkg-config yaml-0.1"
has "$cfg" "SUNDIALS     = 6.4.1 from SUNDIALS_DIR=$tmp/sundials (libraries in $tmp/sundials/lib64)"
has "$cfg" "-lyaml"
ok

make -s -j2 "${vars[@]}" "$tmp/build/hepatosim" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; fail "the build against the prefixes"; }
ok
runpath=$(readelf -d "$tmp/build/hepatosim" | grep -E 'RUNPATH|RPATH')
has "$runpath" "$tmp/hdf5/lib"
has "$runpath" "$tmp/sundials/lib64"
libs=$(ldd "$tmp/build/hepatosim")
has "$libs" "libhdf5_serial.so.103 => $tmp/hdf5/lib/"
has "$libs" "libsundials_cvode.so.6 => $tmp/sundials/lib64/"
ok

# A small sweep with the binary equals the normal build's.
"$tmp/build/hepatosim" sweep tests/fixtures/sweep/lhs.yaml -o "$tmp/a.h5" -j 2 --quiet
"$ref_bin" sweep tests/fixtures/sweep/lhs.yaml -o "$tmp/b.h5" -j 2 --quiet
/usr/bin/python3 - "$tmp/a.h5" "$tmp/b.h5" <<'PY' || fail "the sweeps differ"
import sys, h5py
a, b = (h5py.File(p, "r") for p in sys.argv[1:3])
names = []
a.visit(lambda n: names.append(n) if isinstance(a[n], h5py.Dataset) else None)
bad = [n for n in names if a[n][()].tobytes() != b[n][()].tobytes() and a[n].dtype.kind != "O"]
assert names and a.attrs["runs_done"] == 300, "no complete sweep"
sys.exit("differ: %s" % bad if bad else 0)
PY
ok

# A dependency that is nowhere: the build stops at once, naming it and what to set.
out=$(make -s "${vars[@]}" SUNDIALS_DIR="$tmp/empty" BUILD="$tmp/b2" "$tmp/b2/hepatosim" 2>&1) && fail "built without SUNDIALS"
has "$out" "SUNDIALS not found (no sundials/sundials_config.h) via SUNDIALS_DIR=$tmp/empty"
out=$(make -s "${vars[@]}" HDF5_DIR= BUILD="$tmp/b2" "$tmp/b2/hepatosim" 2>&1) && fail "built without HDF5"
has "$out" "HDF5 not found (no hdf5.h) via pkg-config hdf5-serial (no such .pc file: the compiler's paths)"
has "$(make -s print-config "${vars[@]}" HDF5_DIR=)" "HDF5         = NOT FOUND"
[ ! -e "$tmp/b2/hepatosim" ] || fail "a binary was left"
ok

# make mpi: the compiler and prefix are taken, and no Debian package is looked for.
out=$(make -n mpi HDF5_DIR="$tmp/hdf5" MPICC=my-mpicc 2>&1)
has "$out" "CC=my-mpicc HDF5_PC=hdf5-openmpi HDF5_DIR=$tmp/hdf5 BUILD=build-mpi"
out=$(make -s deps HDF5_DIR="$tmp/hdf5" DEB_PKGS=no-such-package-hs)
has "$out" "prefixes given"
ok
echo "check_build: $pass passed, 0 failed"
