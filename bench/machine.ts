/** What the numbers were measured on: CPU, the flags that matter, Node, library versions. */

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { nativeInfo, type NativeInfo } from '../lib'

export interface Machine {
  cpu: string
  cores: number
  flags: string[]
  node: string
  openssl: string
  native: NativeInfo
  libraries: Record<string, string>
}

function version (pkg: string): string {
  const file = path.join(__dirname, '..', '..', 'node_modules', ...pkg.split('/'), 'package.json')
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version
}

export function machine (): Machine {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : ''
  const flags = (/^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '').split(' ')
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    flags: ['ssse3', 'avx', 'avx2', 'avx512f', 'avx512vl', 'avx512ifma'].filter((f) => flags.includes(f)),
    node: process.version,
    openssl: process.versions.openssl ?? 'none',
    native: nativeInfo(),
    libraries: Object.fromEntries(['@noble/ciphers', '@noble/hashes', '@noble/curves', '@scure/btc-signer'].map((p) => [p, version(p)]))
  }
}
