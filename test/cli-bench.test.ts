// `bip324 bench`: the short benchmark runs to completion and reports ratios it measured (no timing asserted).

import { runCli } from './helpers/cli'

test('bench --json measures both backends and the loopback against plain TCP', async () => {
  const run = await runCli(['bench', '--json'])
  expect(run.code).toBe(0)
  const result = JSON.parse(run.stdout)
  expect(result.packets.map((p: { size: number }) => p.size)).toEqual([32, 1 << 20])
  for (const p of result.packets) expect(p.ratio).toBeCloseTo(p.native / p.js, 6)
  expect(result.loopback.map((l: { size: number }) => l.size)).toEqual([1 << 20, 64])
  for (const l of result.loopback) expect(l.ratio).toBeCloseTo(l.v2 / l.tcp, 6)
})
