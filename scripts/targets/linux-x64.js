'use strict'
// linux-x64, glibc >= 2.28: zig 0.11 with -target x86_64-linux-gnu.2.28; proved in this machine's
// own Node (see linux-glibc.js).
module.exports = require('./linux-glibc').glibcTarget('x64')
