#!/usr/bin/env bash
# Installs the npm tarball into a throwaway project the ways users will:
#   (a) prebuilt binary, no compiler or python anywhere on PATH, install scripts off;
#   (c) no prebuilt and no toolchain: the install script must fail and say what to install;
#   (b) no prebuilt, toolchain present: `npm rebuild` builds from the sources in the tarball.
# Prints PASS/FAIL per path; exits non-zero if any failed.
# BIP324_TARBALL=path tests a given tarball; else this packs the work tree (npm pack runs
# `prepare`, i.e. tsc) after building the prebuilt binary if there is none. KEEP=1 keeps the temp dir.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bip324-install-test.XXXXXX")
FAILED=0
cleanup () {
  if [ $FAILED = 0 ] && [ "${KEEP:-}" != 1 ]; then rm -rf "$WORK"; else echo "logs kept in $WORK"; fi
}
trap cleanup EXIT
result () { # name status log
  if [ "$2" = 0 ]; then echo "PASS $1"; else echo "FAIL $1"; tail -20 "$WORK/$3" | sed 's/^/    /'; FAILED=1; fi
}

# --- the tarball
if [ -n "${BIP324_TARBALL:-}" ]; then
  TGZ=$(readlink -f "$BIP324_TARBALL")
else
  PLATFORM=$(node -p 'process.platform + "-" + process.arch')
  if ! ls "$ROOT/prebuilds/$PLATFORM/"*.node >/dev/null 2>&1; then
    (cd "$ROOT" && node scripts/prebuild.js) >"$WORK/prebuild.log" 2>&1 || { FAILED=1; echo "FAIL prebuild"; tail -20 "$WORK/prebuild.log"; exit 1; }
  fi
  (cd "$ROOT" && npm pack --pack-destination "$WORK" >"$WORK/pack.log" 2>&1) || { FAILED=1; echo "FAIL npm pack"; tail -20 "$WORK/pack.log"; exit 1; }
  TGZ=$(ls "$WORK"/bip324-*.tgz)
fi
echo "tarball: $TGZ"

# --- a PATH with node and npm but no compiler, make or python (what a slim container has)
BARE="$WORK/bare-bin"
mkdir -p "$BARE"
for tool in node npm npx sh bash env cat ls rm mkdir cp mv ln chmod dirname basename readlink sed grep tar gzip uname head tail mktemp; do
  p=$(command -v "$tool") && ln -s "$p" "$BARE/$tool"
done
for tool in cc gcc g++ c++ clang make python3 python; do
  if PATH="$BARE" command -v "$tool" >/dev/null; then FAILED=1; echo "FAIL setup: $tool is still on the bare PATH"; exit 1; fi
done
bare () { env PATH="$BARE" "$@"; }

APP="$WORK/app"
mkdir -p "$APP" && cd "$APP" || exit 1
echo '{ "name": "bip324-install-test", "version": "1.0.0", "private": true }' > package.json
PKG="$APP/node_modules/bip324"

# Each check prints nothing on success; the smoke test asserts the native engine, not the JS fallback, is in use.
SMOKE_CJS="const b = require('bip324'); const i = b.nativeInfo()
if (i.secp256k1 !== '0.5.0') throw new Error('nativeInfo: ' + JSON.stringify(i))
if (!require('node-gyp-build').path('$PKG').includes(process.argv[1])) throw new Error('loaded ' + require('node-gyp-build').path('$PKG'))"
SMOKE_ESM="import bip324, { connect, createServer, Protocol, nativeInfo } from 'bip324'
import { createRequire } from 'node:module'
const cjs = createRequire(import.meta.url)('bip324')
if (bip324 !== cjs || typeof connect !== 'function' || typeof createServer !== 'function' || typeof Protocol !== 'function') throw new Error('ESM exports')
const ns = await import('bip324')
const missing = Object.keys(cjs).filter((k) => !(k in ns))
if (missing.length) throw new Error('missing ESM exports: ' + missing)
if (nativeInfo().secp256k1 !== '0.5.0') throw new Error('nativeInfo')"
demo () { "$@" npx --no-install bip324 demo --json | node -e "const r = JSON.parse(require('fs').readFileSync(0, 'utf8')); if (!r.ok || r.backend !== 'native') process.exit(1)"; }

# (a) prebuilt, no toolchain, --ignore-scripts
{
  bare npm install "$TGZ" --ignore-scripts --no-audit --no-fund &&
  bare node -e "$SMOKE_CJS" prebuilds &&
  bare node --input-type=module -e "$SMOKE_ESM" &&
  demo bare &&
  bare npm rebuild bip324 --foreground-scripts && test ! -e "$PKG/build" # the install script takes the prebuilt
} >"$WORK/a.log" 2>&1
result "(a) prebuilt binary, no compiler/make/python: require, import, npx bip324 demo; install script builds nothing" $? a.log

# (c) no prebuilt, no toolchain: must fail, naming the packages to install
rm -rf "$PKG/prebuilds" "$PKG/build"
bare npm rebuild bip324 --foreground-scripts >"$WORK/c.log" 2>&1
status=$?
[ $status -ne 0 ] && grep -q 'apt-get install build-essential python3' "$WORK/c.log" && [ ! -e "$PKG/build" ]
result "(c) no prebuilt, no toolchain: install script fails and says what to install" $? c.log

# (b) no prebuilt, toolchain present: builds from the bundled sources with node-gyp
{
  npm rebuild bip324 --foreground-scripts &&
  test -f "$PKG/build/Release/bip324.node" &&
  node -e "$SMOKE_CJS" build/Release &&
  node --input-type=module -e "$SMOKE_ESM" &&
  demo env
} >"$WORK/b.log" 2>&1
result "(b) no prebuilt, toolchain present: npm rebuild builds from source" $? b.log

exit $FAILED
