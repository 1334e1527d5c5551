#!/bin/sh
# The addon and the engine under AddressSanitizer + UBSan (CMake option BIP324_SANITIZE), built
# into build-asan/ with plain cmake and gcc, so build/ (node-gyp's, which others load) is never
# touched.
#
#   scripts/asan-test.sh [JEST PATTERN...]
#                                     engine_test, then every jest suite but test/loader (or those
#                                     given), with the sanitized addon loaded into node
#   scripts/asan-test.sh --leakcheck [SESSIONS]
#                                     fuzz/native/leak_check.c under LeakSanitizer (default 100000)
#   scripts/asan-test.sh --valgrind [SESSIONS]
#                                     the same program unsanitized under valgrind's memcheck, in
#                                     build-valgrind/ (default 2000: memcheck is ~50x slower)
#
# Node is not built with ASan, so the runtime is preloaded (it must come first in the process) and
# leak detection is off for node: it leaves memory for the OS to reclaim at exit by design.
# node-gyp-build loads <$BIP324_PREBUILD>/build/Release/*.node when BIP324_PREBUILD is set (from
# the package name), so lib/native/binding.ts, jest and the child processes of
# test/lifecycle.test.ts all load the sanitized addon without a code change; a preflight checks it.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODE=test
case "${1:-}" in --*) MODE=$1 ;; esac
CC=${CC:-gcc}
CXX=${CXX:-g++}

configure() { # build dir, extra cmake arguments...
  dir=$1
  shift
  cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_LIBRARY_OUTPUT_DIRECTORY="$ROOT/$dir/build/Release" "$@" >/dev/null
}

case "$MODE" in
--leakcheck)
  configure build-asan -DBIP324_SANITIZE=ON
  cmake --build build-asan --parallel 2 --target bip324_leak_check >/dev/null
  ASAN_OPTIONS=detect_leaks=1 build-asan/bip324_leak_check "${2:-100000}"
  exit
  ;;
--valgrind)
  configure build-valgrind
  cmake --build build-valgrind --parallel 2 --target bip324_leak_check >/dev/null
  valgrind --quiet --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=definite,indirect,possible \
    --error-exitcode=1 build-valgrind/bip324_leak_check "${2:-2000}"
  echo "asan-test: valgrind memcheck found no error and no leak"
  exit
  ;;
test) ;;
*)
  echo "usage: $0 [JEST PATTERN... | --leakcheck [SESSIONS] | --valgrind [SESSIONS]]" >&2
  exit 2
  ;;
esac

# The headers of the running node (cmake-js would download them; node-gyp's cache may be empty).
NODE_INCLUDE=$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")
if [ ! -f "$NODE_INCLUDE/node_api.h" ]; then
  echo "asan-test: no node headers in $NODE_INCLUDE; set NODE_INCLUDE to a directory with node_api.h" >&2
  exit 2
fi
configure build-asan -DBIP324_SANITIZE=ON -DCMAKE_JS_INC="$NODE_INCLUDE"
cmake --build build-asan --parallel 2 --target bip324 bip324_testing engine_test provider_probe >/dev/null

ASAN_OPTIONS=detect_leaks=1 build-asan/build/Release/engine_test test/fixtures/bip324/packet_encoding_test_vectors.csv

LD_PRELOAD=$("$CC" -print-file-name=libasan.so)
BIP324_PREBUILD="$ROOT/build-asan"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
UBSAN_OPTIONS=print_stacktrace=1
export LD_PRELOAD BIP324_PREBUILD ASAN_OPTIONS UBSAN_OPTIONS

node -e '
  const path = require("node:path")
  const want = path.join(process.env.BIP324_PREBUILD, "build", "Release", "bip324.node")
  const got = require("node-gyp-build").path(process.cwd())
  if (got !== want) { console.error(`asan-test: node-gyp-build resolves ${got}, not ${want}`); process.exit(1) }
  const addon = require(got)
  const maps = require("node:fs").readFileSync("/proc/self/maps", "utf8")
  if (!/libasan/.test(maps)) { console.error("asan-test: no ASan runtime in the process"); process.exit(1) }
  console.log(`asan-test: node loads ${path.relative(process.cwd(), got)} (providers: ${addon.nativeInfo().providers.join(", ")})`)
'

# Not test/loader: it checks that a root without an addon fails to load, which BIP324_PREBUILD
# redirects on purpose.
jest() {
  node node_modules/jest/bin/jest.js --runInBand --ci "$@"
}
if [ $# -gt 0 ]; then
  jest "$@"
  exit
fi
status=0
# Every other suite: the CLI's child processes inherit LD_PRELOAD and BIP324_PREBUILD, so they
# run the sanitized addon too.
jest --testPathIgnorePatterns test/loader test/lifecycle test/net-limits test/peer-public-port || status=1
# lifecycle bounds RSS growth (< 40 MiB) while 100,000s of ciphers are freed, and net-limits bounds
# a server process's RSS while peers flood it (24 and 16 MB). ASan holds freed memory in a
# quarantine (256 MiB by default, so that a use after free hits poisoned memory) and pads every
# allocation, node's own included: lifecycle takes 36 MiB where the plain build takes 30 even with
# the quarantine off, and the flood 26 MB where it takes 17 with the quarantine on. So these suites
# run without one (child processes inherit ASAN_OPTIONS): overflows and double frees are still caught.
# So does peer-public-port, which bounds the peak RSS of floods of small messages (160 MB).
ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=0 jest test/lifecycle test/net-limits test/peer-public-port || status=1
if [ $status -eq 0 ]; then echo "asan-test: no sanitizer report, every suite passed"; fi
exit $status
