import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { type Addon, checkAddon, loadAddon } from '../lib/native/binding'
import { ELLSWIFT_VECTOR, knownAnswerFailure, PACKET_VECTOR } from '../lib/native/known-answers'
import { PACKAGE_ROOT } from '../lib/package'
import { readCsv } from './helpers/vectors'

test('the package root holds the built addon', () => {
  expect(typeof loadAddon(PACKAGE_ROOT).ellswiftDecode).toBe('function')
})

test('with no addon anywhere, loading fails with ERR_BIP324_NATIVE_UNAVAILABLE naming every path tried', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-loader-'))
  try {
    fs.writeFileSync(path.join(root, 'package.json'), '{"name":"bip324"}')
    let caught: unknown
    try { loadAddon(root) } catch (err) { caught = err }
    expect(caught).toMatchObject({ code: 'ERR_BIP324_NATIVE_UNAVAILABLE', name: 'Bip324Error' })
    const message = (caught as Error).message
    expect(message).toContain(path.join(root, 'build', 'Release', 'bip324.node'))
    expect(message).toContain(path.join(root, 'prebuilds', `${process.platform}-${process.arch}`))
    expect(message).toContain('npm rebuild bip324')
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
})

describe('the known-answer test at load', () => {
  const addon = loadAddon(PACKAGE_ROOT)
  const caught = (a: Addon): Error => {
    try { checkAddon(a) } catch (err) { return err as Error }
    throw new Error('checkAddon passed')
  }

  test('its vectors are rows of BIP-324\'s test vector files', () => {
    const packet = readCsv('packet_encoding_test_vectors.csv')[0]!
    expect(packet).toMatchObject({ in_idx: '1', in_initiating: '1', in_multiply: '1', in_aad: '', in_ignore: '0' })
    expect(PACKET_VECTOR).toEqual({ privOurs: packet.in_priv_ours, ellswiftOurs: packet.in_ellswift_ours, ellswiftTheirs: packet.in_ellswift_theirs, contents: packet.in_contents, ciphertext: packet.out_ciphertext })
    const decode = readCsv('ellswift_decode_test_vectors.csv')[1]!
    expect(ELLSWIFT_VECTOR).toEqual({ ellswift: decode.ellswift, x: decode.x })
  })

  test('the built addon passes it on every provider', () => {
    expect(knownAnswerFailure(addon)).toBeNull()
    expect(() => checkAddon(addon)).not.toThrow()
  })

  test('a packet cipher one bit off makes the addon unavailable, saying which provider and what it gave', () => {
    const err = caught({ ...addon, encrypt: (c, out, ...rest) => { addon.encrypt(c, out, ...rest); if (out.length > 20) out[20]! ^= 1 } })
    expect(err).toMatchObject({ code: 'ERR_BIP324_NATIVE_UNAVAILABLE', name: 'Bip324Error' })
    expect(err.message).toContain(`the packet cipher (provider ${addon.nativeInfo().provider}) gave 7530d2a18720162ac09c25329a60d75adf36eda3c2, not 7530d2a18720162ac09c25329a60d75adf36eda3c3`)
  })

  test('a wrong ellswift decode, or a call that throws, makes it unavailable too', () => {
    expect(caught({ ...addon, ellswiftDecode: (x) => { x.fill(1) } }).message).toContain('ellswift decode gave 0101')
    expect(caught({ ...addon, keySchedule: () => { throw new Error('boom') } }).message).toContain('known-answer test at load: it threw boom')
  })
})
