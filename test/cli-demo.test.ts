// `bip324 demo` and the command's usage handling, run as a child process like a user would.

import { DEFAULT_MAX_CONTENTS } from '../lib'
import { runCli } from './helpers/cli'

test('demo --json: matching session ids, every echo intact, throughput measured, exit 0', async () => {
  const run = await runCli(['demo', '--json'])
  expect(run.code).toBe(0)
  const result = JSON.parse(run.stdout)
  expect(result.ok).toBe(true)
  expect(result.sessionId.initiator).toMatch(/^[0-9a-f]{64}$/)
  expect(result.sessionId.responder).toBe(result.sessionId.initiator)
  expect(result.echo.map((e: { size: number }) => e.size)).toEqual([0, 1, 32, 1024, 65536, 1 << 20, DEFAULT_MAX_CONTENTS])
  expect(result.echo.every((e: { ok: boolean }) => e.ok)).toBe(true)
  for (const { v2, tcp } of result.throughput) {
    expect(v2.bytesPerSecond).toBeGreaterThan(0)
    expect(tcp.messages).toBe(v2.messages)
    // What is measured is rounded where its precision ends, not 6.830230000000029.
    for (const t of [v2, tcp]) {
      expect(Number.isInteger(t.bytesPerSecond) && Number.isInteger(t.messagesPerSecond)).toBe(true)
      expect(String(t.seconds)).toMatch(/^\d+(\.\d{1,3})?$/)
    }
  }
  expect(String(result.handshakeMs)).toMatch(/^\d+(\.\d)?$/)
  // 100,000 small messages cross several rekeys.
  expect(result.counters.rekeysSent).toBe(Math.floor(result.counters.packetsSent / 224))
  expect(result.counters.rekeysSent).toBeGreaterThan(400)
})

test('demo prints the handshake and the echo table for humans, on the JS backend too', async () => {
  const run = await runCli(['demo', '--backend', 'js'])
  expect(run.code).toBe(0)
  expect(run.stdout).toContain('js backend')
  const ids = [...run.stdout.matchAll(/session id ([0-9a-f]{64})/g)].map((m) => m[1])
  expect(ids).toHaveLength(2)
  expect(ids[0]).toBe(ids[1])
  expect(run.stdout).toMatch(/4,000,013 B ok/)
})

test('usage: --help exits 0, an unknown command or option exits 2 with the usage', async () => {
  const help = await runCli(['demo', '--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toContain('bip324 demo [--backend')
  const unknown = await runCli(['frobnicate'])
  expect(unknown.code).toBe(2)
  expect(unknown.stderr).toContain('unknown command "frobnicate"')
  const badOption = await runCli(['demo', '--bogus'])
  expect(badOption.code).toBe(2)
  expect(badOption.stderr).toMatch(/^bip324 demo: unknown option --bogus\n\nbip324 demo \[--backend/)
  const badBackend = await runCli(['demo', '--backend', 'quantum'])
  expect(badBackend.code).toBe(2)
})
