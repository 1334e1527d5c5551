/**
 * The multi-process benchmarks' children: a compiled bench module forked with IPC and driven by
 * request and reply, so that each side of a connection has a process (and a core, and an open-file
 * limit) of its own, and the parent's clock times what happens between its messages.
 */

import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'

export interface Child {
  /** Sends `request` and resolves with the child's reply to it (rejects with the child's error). */
  ask: <T = unknown>(request: object) => Promise<T>
  /** Ends the child and waits until it is gone. */
  close: () => Promise<void>
}

type Reply = { ok: true, value: unknown } | { ok: false, error: string }

/** Forks `.bench/bench/<module>.js` with `args`; Node flags in `execArgv` (e.g. --expose-gc). */
export function spawn (module: string, args: string[], execArgv: string[] = []): Child {
  const child: ChildProcess = fork(path.join(__dirname, `${module}.js`), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Requests are answered in order, one at a time: the oldest waiter takes the next reply.
  const waiting: Array<{ resolve: (v: unknown) => void, reject: (e: Error) => void }> = []
  child.on('message', (reply: Reply) => {
    const w = waiting.shift()
    if (w === undefined) return
    if (reply.ok) w.resolve(reply.value)
    else w.reject(new Error(`${module} ${args.join(' ')}: ${reply.error}`))
  })
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`${module} ${args.join(' ')} exited (${signal ?? code}) before replying`))
  })
  return {
    ask: async <T>(request: object) => await new Promise<T>((resolve, reject) => {
      waiting.push({ resolve: resolve as (v: unknown) => void, reject })
      child.send(request)
    }),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill()
      await exited
    }
  }
}

/** In a child: answers each request from the parent with `handle`'s result, in the order asked. */
export function serve (handle: (request: any) => Promise<unknown>): void {
  let queue = Promise.resolve()
  process.on('message', (request: unknown) => {
    queue = queue.then(async () => {
      const reply: Reply = await handle(request).then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, error: String((err as Error)?.stack ?? err) }))
      process.send!(reply)
    })
  })
}
