#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages mhla needs to build, test and benchmark. Idempotent; run as root.
# README.md says why each package is here.
set -euo pipefail
packages=(
  cmake g++ make git            # toolchain (already on a fresh machine; listed for completeness)
  libboost-dev                  # Boost.Multiprecision: the exact and MPFR scalar front ends
  libgmp-dev                    # GMP: integers and rationals (also gmpxx, the checker's front end)
  libmpfr-dev                   # MPFR: correctly rounded floats at a run-time precision
  catch2                        # Catch2 2.13 (v2 single header): the test framework
  nlohmann-json3-dev            # JSON parsing (SAX, with raw number text) and writing
  libcli11-dev                  # the command line
  libssl-dev                    # SHA-256 of dataset files (OpenSSL libcrypto)
  zlib1g-dev                    # zlib: inflate for np.savez_compressed .npz input (io/npz.hpp)
  libeigen3-dev                 # Eigen 3.4: JacobiSVD on MPFR scalars (--heads svd), float split search (--heads fewest)
  libflint-dev                  # FLINT: differential-test oracle and benchmark peer for exact rank
  libbenchmark-dev              # Google Benchmark: bench/ (speed is measured there, never in tests)
  python3-numpy python3-matplotlib  # benchmark peers (float64 rank / lstsq) and plots
  libopenblas0-pthread          # bench peer: an optimised BLAS/LAPACK for NumPy (Debian's NumPy
                                # otherwise runs matrix_rank on the reference BLAS, ~10x slower)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run this script as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: installed ${missing[*]}" >&2
