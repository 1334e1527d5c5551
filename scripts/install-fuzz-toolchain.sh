#!/bin/sh
# Installs what `npm run fuzz` needs and the machine image lacks: clang (the fuzz build uses
# -fsanitize=fuzzer, which gcc has no equivalent of), libclang-rt-dev (libFuzzer and clang's
# ASan/UBSan runtimes, which clang only recommends) and llvm (llvm-symbolizer, for readable stack
# traces in findings). valgrind is optional: `npm run leakcheck` uses LeakSanitizer from gcc.
# Debian/Ubuntu only; run as root (or through sudo).
#   --quiet: one line saying what is installed; apt's output only if it fails (for CI logs)
set -eu

PACKAGES="clang libclang-rt-dev llvm"
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

apt() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "$@"
}
if [ "${1:-}" = --quiet ]; then
  echo "install-fuzz-toolchain: apt-get update, then installing $PACKAGES from Debian"
  log=$(mktemp)
  # shellcheck disable=SC2086 # PACKAGES is a list
  if ! { apt update && apt install -y --no-install-recommends $PACKAGES; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
else
  apt update
  # shellcheck disable=SC2086
  apt install -y --no-install-recommends $PACKAGES
fi

# Check the result the way scripts/fuzz.js will use it: link a trivial fuzz target.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' > "$tmp/t.c"
clang -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t"
"$tmp/t" -runs=1 >/dev/null 2>&1
echo "install-fuzz-toolchain: $(clang --version | head -n 1), libFuzzer and sanitizers work"
