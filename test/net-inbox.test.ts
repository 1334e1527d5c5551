// The inbox alone: when it reads, when it hands messages on, and where the end of input goes.

import { performance } from 'node:perf_hooks'

import { BYTES_PER_TURN, Inbox, messageCost, TURN_MS } from '../lib/net/inbox'

interface Log {
  handed: number[]
  ended: Array<Error | undefined>
  reading: boolean[]
}

function inbox (limit: number, accepting: () => boolean = () => true, size = (m: number) => m): { box: Inbox<number>, log: Log } {
  const log: Log = { handed: [], ended: [], reading: [] }
  const box = new Inbox<number>(limit, size, {
    accepting,
    hand: (m) => { log.handed.push(m); return false },
    ended: (err) => log.ended.push(err),
    reading: (on) => log.reading.push(on)
  })
  return { box, log }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test(`hands on messages for ${TURN_MS} ms per turn, the rest in later turns, in order`, async () => {
  const log: number[] = []
  // Each message takes 0.1 ms of the application's time.
  const box = new Inbox<number>(1e9, () => 1, {
    accepting: () => true,
    hand: (m) => { const until = performance.now() + 0.1; while (performance.now() < until); log.push(m); return false },
    ended: () => {},
    reading: () => {}
  })
  const messages = Array.from({ length: 100 }, (_, i) => i)
  box.add(messages)
  const first = log.length
  expect(first).toBeGreaterThan(0)
  expect(first).toBeLessThan(100)
  while (log.length < 100) await turn()
  expect(log).toEqual(messages)
})

test('cheap messages are not cut into turns by their number', () => {
  const { box, log } = inbox(1e9)
  box.add(Array.from({ length: 1000 }, (_, i) => i))
  // A count of 64 per turn cost small messages a quarter of their throughput.
  expect(log.handed.length).toBeGreaterThan(64)
})

test(`hands on at most ${BYTES_PER_TURN} contents bytes per turn (the message that crosses it still goes)`, async () => {
  const { box, log } = inbox(1e9, () => true, () => BYTES_PER_TURN / 2 + 1)
  box.add([1, 2, 3])
  expect(log.handed).toEqual([1, 2])
  await turn()
  expect(log.handed).toEqual([1, 2, 3])
})

test('hands nothing on while the owner says no (a full send side), and goes on when pumped', () => {
  let open = false
  const { box, log } = inbox(1e9, () => open)
  box.add([1, 2])
  expect(log.handed).toEqual([])
  open = true
  box.pump()
  expect(log.handed).toEqual([1, 2])
})

test('stops reading once what it holds costs the limit, and reads again below it', () => {
  let open = false
  const { box, log } = inbox(messageCost(10) * 3, () => open)
  box.add([10, 10])
  expect(log.reading).toEqual([])
  box.add([10])
  expect(log.reading).toEqual([false])
  expect(box.bytes).toBe(messageCost(10) * 3)
  open = true
  box.pump()
  expect(log.reading).toEqual([false, true])
  expect(box.bytes).toBe(0)
})

test('the end of input comes after every message before it, however long they wait', () => {
  let open = false
  const { box, log } = inbox(1e9, () => open)
  const err = new Error('bad packet')
  box.add([1, 2])
  box.close(err)
  box.close()
  expect(log.ended).toEqual([])
  open = true
  box.pump()
  expect(log.handed).toEqual([1, 2])
  expect(log.ended).toEqual([err])
})

test('a message the reader keeps in its queue counts until taken', () => {
  const box = new Inbox<number>(1e9, (m) => m, { accepting: () => true, hand: () => true, ended: () => {}, reading: () => {} })
  box.add([100])
  expect(box.bytes).toBe(messageCost(100))
  box.taken(100)
  expect(box.bytes).toBe(0)
})

test('a queue that never empties does not keep a slot for every message handed on', async () => {
  // The owner takes messages while more than `keep` wait: a queue kept busy for good.
  let keep = Infinity
  const box: Inbox<number> = new Inbox<number>(1e12, () => 1, { accepting: () => box.length > keep, hand: () => false, ended: () => {}, reading: () => {} })
  for (let round = 0; round < 50; round++) {
    keep = Infinity
    box.add(Array.from({ length: 1000 }, (_, i) => i))
    keep = 500
    box.pump()
    while (box.length > 500) await turn()
  }
  expect(box.length).toBe(500)
  expect((box as unknown as { queue: unknown[] }).queue.length).toBeLessThan(5000)
})
