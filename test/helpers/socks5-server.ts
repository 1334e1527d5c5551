/**
 * A SOCKS5 server for the tests, on 127.0.0.1, written from RFC 1928 (CONNECT with IPv4, domain
 * name and IPv6 addresses) and RFC 1929 (username/password): a stand-in for Tor. It maps names to
 * loopback ports (as Tor maps an .onion name to a service), answers with a configurable reply code,
 * and records every greeting and request, so a test sees what reached the proxy: the name
 * unresolved, the credentials, the methods offered.
 */

import net from 'node:net'

export interface SocksRequest {
  /** The methods the client offered (0: none, 2: username/password). */
  methods: number[]
  username?: string
  password?: string
  /** Filled once the CONNECT request arrived. */
  atyp?: 'ipv4' | 'domain' | 'ipv6'
  host?: string
  port?: number
}

export interface Socks5ServerOptions {
  /** Names the proxy connects for: name -> port on 127.0.0.1. An IP address goes where it says. */
  names?: Record<string, number>
  /** Any name not in `names` goes to 127.0.0.1 at the requested port (a README example's node). */
  anyName?: boolean
  /** Require RFC 1929 and check these; `true`: require it, accept any; `false`: never use it (a
   *  proxy without RFC 1929). Default: as Tor does, username/password when the client offers it
   *  (any accepted), else no authentication. */
  auth?: { username: string, password: string } | true | false
  /** The CONNECT reply code: 0 connects (RFC 1928's codes, Tor's 0xf0..). Default 0; a name that
   *  is not mapped is 4 (host unreachable), a refused connection 5. */
  reply?: number
  /** Reads the greeting and never answers (a stuck proxy). */
  silent?: boolean
  /** Reads the greeting and closes. */
  closesAfterGreeting?: boolean
  /** The first bytes of every answer replaced (a proxy that is not SOCKS5). */
  answer?: Uint8Array
}

export interface Socks5Server {
  port: number
  requests: SocksRequest[]
  close: () => Promise<void>
}

// Bytes as they arrive, handed out by count.
class Reader {
  private buffered = Buffer.alloc(0)
  private waiting: { n: number, resolve: (b: Buffer) => void } | undefined
  constructor (private readonly socket: net.Socket) {
    socket.on('data', this.onData)
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buffered = Buffer.concat([this.buffered, chunk])
    this.deliver()
  }

  private deliver (): void {
    const w = this.waiting
    if (w === undefined || this.buffered.length < w.n) return
    this.waiting = undefined
    const out = this.buffered.subarray(0, w.n)
    this.buffered = this.buffered.subarray(w.n)
    w.resolve(out)
  }

  read (n: number): Promise<Buffer> {
    return new Promise((resolve) => { this.waiting = { n, resolve }; this.deliver() })
  }

  /** Stops reading; returns what came after the last read. */
  detach (): Buffer {
    this.socket.off('data', this.onData)
    return this.buffered
  }
}

// RFC 1928 section 6: VER REP RSV ATYP(IPv4) BND.ADDR BND.PORT.
const replyBytes = (code: number): Buffer => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0])

async function serve (client: net.Socket, options: Socks5ServerOptions, requests: SocksRequest[], sockets: Set<net.Socket>): Promise<void> {
  const r = new Reader(client)
  const [version, count] = await r.read(2)
  if (version !== 5) { client.destroy(); return }
  const request: SocksRequest = { methods: [...await r.read(count!)] }
  requests.push(request)
  if (options.silent === true) return
  if (options.closesAfterGreeting === true) { client.end(); return }
  const { auth } = options
  const method = request.methods.includes(2) && auth !== false ? 2 : request.methods.includes(0) && (auth === undefined || auth === false) ? 0 : 0xff
  const answer = Buffer.from([5, method])
  if (options.answer !== undefined) answer.set(options.answer.subarray(0, 2))
  client.write(answer)
  if (method === 0xff || options.answer !== undefined) { client.end(); return }
  if (method === 2) {
    const [, ulen] = await r.read(2)
    request.username = (await r.read(ulen!)).toString()
    const [plen] = await r.read(1)
    request.password = (await r.read(plen!)).toString()
    const ok = typeof auth !== 'object' || (auth.username === request.username && auth.password === request.password)
    client.write(Buffer.from([1, ok ? 0 : 1]))
    if (!ok) { client.end(); return }
  }
  const [, command, , atyp] = await r.read(4)
  if (atyp === 1) {
    request.atyp = 'ipv4'
    request.host = [...await r.read(4)].join('.')
  } else if (atyp === 3) {
    request.atyp = 'domain'
    request.host = (await r.read((await r.read(1))[0]!)).toString('latin1')
  } else {
    request.atyp = 'ipv6'
    const b = await r.read(16)
    request.host = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(2 * i).toString(16)).join(':')
  }
  request.port = (await r.read(2)).readUInt16BE(0)
  if (command !== 1) { client.end(replyBytes(7)); return }
  const mapped = request.atyp !== 'domain' ? request.port : options.names?.[request.host] ?? (options.anyName === true ? request.port : undefined)
  const code = options.reply ?? (mapped === undefined ? 4 : 0)
  if (code !== 0 || mapped === undefined) { client.end(replyBytes(code)); return }
  const target = net.connect({ host: request.atyp === 'domain' ? '127.0.0.1' : request.host, port: mapped, allowHalfOpen: true })
  sockets.add(target)
  let connected = false
  target.on('error', () => { if (connected) client.destroy(); else client.end(replyBytes(5)) })
  target.once('connect', () => {
    connected = true
    client.write(replyBytes(0))
    const early = r.detach()
    if (early.length > 0) target.write(early)
    client.pipe(target)
    target.pipe(client)
  })
  client.once('close', () => target.destroy())
  target.once('close', () => client.destroy())
}

export async function socks5Server (options: Socks5ServerOptions = {}): Promise<Socks5Server> {
  const requests: SocksRequest[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client)
    client.on('error', () => {})
    void serve(client, options, requests, sockets)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()) })
  }
}
