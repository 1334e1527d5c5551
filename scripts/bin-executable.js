#!/usr/bin/env node
'use strict'
// Makes package.json's bin files executable after tsc wrote them: tsc keeps the mode of a file it
// overwrites but creates new ones 0644, so once `prepare` has emptied dist/, `npx bip324` in the
// repository would fail with "Permission denied". npm sets the mode itself only when it installs
// the package elsewhere. Refuses a bin without its shebang, which no mode would make runnable.

const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const { bin } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
for (const file of Object.values(bin)) {
  const at = path.join(root, file)
  if (!fs.readFileSync(at, 'utf8').startsWith('#!/usr/bin/env node\n')) {
    process.stderr.write(`bin-executable: ${file} does not start with #!/usr/bin/env node\n`)
    process.exit(1)
  }
  fs.chmodSync(at, (fs.statSync(at).mode & 0o777) | 0o111)
}
