#!/usr/bin/env bash
# The two quick-start commands and their helpers.
#   scripts/dev.sh gui [MODEL]   set up, build, open the GUI (demo model when MODEL is omitted)
#   scripts/dev.sh test          set up, build, run every test (plus the ASan+UBSan build)
#   scripts/dev.sh build         set up and build only
#   scripts/dev.sh bench         set up, build, run the benchmarks (installs python3-torch for the peer)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-$(nproc 2>/dev/null || sysctl -n hw.ncpu)}"
GEN=()
command -v ninja >/dev/null 2>&1 && GEN=(-G Ninja)

configure_build() {  # dir, extra cmake args...
  local dir="$1"; shift
  cmake -S . -B "$dir" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$dir" -j "$JOBS"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  gui)
    bash scripts/setup.sh
    configure_build build
    exec ./build/app/mlscope "$@"
    ;;
  build)
    bash scripts/setup.sh
    configure_build build
    ;;
  test)
    bash scripts/setup.sh
    configure_build build -DMLSCOPE_WERROR=ON
    (cd build && ctest --output-on-failure -j "$JOBS" --timeout 900)
    if [[ "${MLSCOPE_SKIP_SANITIZERS:-0}" != 1 ]]; then
      echo "== AddressSanitizer + UndefinedBehaviorSanitizer build"
      configure_build build-asan -DMLSCOPE_SANITIZE=ON -DMLSCOPE_BUILD_GUI=OFF -DMLSCOPE_BUILD_BENCH=OFF
      # The seed network under the exact-rounding profiles takes minutes even without
      # sanitizers; those few numeric tests ran above, the sanitizers check everything else.
      (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j "$JOBS" --timeout 1800 \
        -E 'CompareSeed.EmulatedProfilesBesideRecordedTable|CompareSweepCorpus.SeedProgram|ExecSeed.EveryProfile|BandCorpus.SeedPrograms')
    fi
    ;;
  bench)
    bash scripts/setup.sh
    bash scripts/setup-bench.sh
    configure_build build -DCMAKE_BUILD_TYPE=Release
    ./build/bench/mlscope_bench "$@"
    ;;
  *)
    echo "usage: scripts/dev.sh gui [MODEL] | test | build | bench" >&2
    exit 2
    ;;
esac
