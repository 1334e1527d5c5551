// The OpenSSL provider's checks (native/provider.c, docs/openssl-provider.md). In node: the switch
// BIP324_OPENSSL and the verdict on this Node's own OpenSSL, each in a child process since the
// decision is made once per process. With fakes: native/test/provider_probe (built beside the
// addon) runs with a library preloaded that exports OpenSSL's entry points, correct or changed in
// one way each, written and compiled here with the system C compiler. The probe, not node, hosts
// them because node defines the real symbols itself, and an executable's own definitions come
// before any preloaded library's.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { createHash } from 'node:crypto'

import { nativeInfo } from '../lib'
import { RefPacketCipher } from './reference/fschacha'

const ROOT = path.join(__dirname, '..')
// Beside the addon this process loads (build/Release, or build-asan's under npm run test:asan).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PROBE = path.join(path.dirname((require('node-gyp-build') as { path: (dir: string) => string }).path(ROOT)), 'provider_probe')

interface Report { switch: string, version: string | null, verdict: string, provider: string, packets?: string, digest?: string }

// The SHA-256 of the packets provider_probe makes (packets_right: key byte i = 3i + 1, contents
// byte i = 7i, packet n of (37 n mod 1000) bytes, no AAD, header 0), made here by the node:crypto
// reference: the probe's own check compares its default provider with libsodium, which on libsodium
// is a comparison with itself.
const PROBE_PACKETS_SHA256 = (() => {
  const key = Uint8Array.from({ length: 32 }, (_, i) => 3 * i + 1)
  const contents = Uint8Array.from({ length: 1000 }, (_, i) => (7 * i) & 0xff)
  const ref = new RefPacketCipher(key, key)
  const hash = createHash('sha256')
  for (let n = 0; n < 300; n++) hash.update(ref.encrypt(contents.subarray(0, (n * 37) % 1000), new Uint8Array(0), 0))
  return hash.digest('hex')
})()

function nodeWith (env: Record<string, string | undefined>, extra: NodeJS.ProcessEnv = {}): Report & { providers: string[], stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete childEnv.BIP324_OPENSSL
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v
  const r = spawnSync(process.execPath, ['-e', `
    const info = require('node-gyp-build')(${JSON.stringify(ROOT)}).nativeInfo()
    process.stdout.write(JSON.stringify({ ...info.openssl, provider: info.provider, providers: info.providers }))`],
  { cwd: ROOT, encoding: 'utf8', env: childEnv })
  if (r.status !== 0) throw new Error(`node exited with ${r.status ?? r.signal}: ${r.stderr}`)
  return { ...JSON.parse(r.stdout) as Report & { providers: string[] }, stderr: r.stderr }
}

describe('in node', () => {
  test('by default this Node\'s OpenSSL passes every check and is used', () => {
    const r = nodeWith({})
    expect(r).toMatchObject({ switch: 'auto', verdict: 'used', provider: 'openssl', providers: ['openssl', 'libsodium'] })
    expect(r.version).toBe(process.versions.openssl.replace(/\+.*/, ''))
  })

  test('this process (jest) reports the same as a child', () => {
    if (process.env.BIP324_OPENSSL !== undefined) throw new Error('run the suite without BIP324_OPENSSL set')
    expect(nativeInfo().openssl).toEqual({ switch: 'auto', version: process.versions.openssl.replace(/\+.*/, ''), verdict: 'used' })
  })

  test('BIP324_OPENSSL=off: libsodium only, and no OpenSSL symbol is looked up (the dynamic linker\'s own log)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-lddebug-'))
    try {
      // LD_DEBUG=symbols logs every lookup, dlsym's included: positive control first.
      const lookups = (value: string | undefined): string => {
        const log = path.join(dir, value ?? 'auto')
        nodeWith({ BIP324_OPENSSL: value }, { LD_DEBUG: 'symbols', LD_DEBUG_OUTPUT: log })
        return fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(log) + '.'))
          .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('')
          .split('\n').filter((l) => /symbol=(OpenSSL_version_num|ChaCha20_ctr32|Poly1305_\w+);/.test(l)).join('\n')
      }
      expect(lookups(undefined)).toMatch(/symbol=OpenSSL_version_num;.*\n(.*\n)*.*symbol=ChaCha20_ctr32;/)
      expect(lookups('off')).toBe('')
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
    expect(nodeWith({ BIP324_OPENSSL: 'off' })).toMatchObject({ switch: 'off', version: null, verdict: 'off', provider: 'libsodium', providers: ['libsodium'] })
  })

  test('BIP324_OPENSSL=force on an allowed version: used, as with auto', () => {
    expect(nodeWith({ BIP324_OPENSSL: 'force' })).toMatchObject({ switch: 'force', verdict: 'used', provider: 'openssl' })
  })

  test.each(['', 'on', 'AUTO', 'force '])('BIP324_OPENSSL=%j is invalid: taken as off', (value) => {
    expect(nodeWith({ BIP324_OPENSSL: value })).toMatchObject({ switch: 'invalid', version: null, verdict: 'off', providers: ['libsodium'] })
  })
})

// OpenSSL's entry points over an implementation of RFC 8439 written for this test, with one
// change selected by FAKE_OPENSSL_MODE; FAKE_OPENSSL_VERSION sets what OpenSSL_version_num says.
// Every call is logged to stderr, so a test can see which ones happened.
const FAKE = String.raw`
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void called(const char *fn) { fprintf(stderr, "fake:%s\n", fn); }

unsigned long OpenSSL_version_num(void) {
    const char *v = getenv("FAKE_OPENSSL_VERSION");
    called("OpenSSL_version_num");
    return v ? strtoul(v, NULL, 16) : 0x30000130ul;
}

#ifndef VERSION_ONLY
static int is(const char *mode) { const char *m = getenv("FAKE_OPENSSL_MODE"); return m != NULL && strcmp(m, mode) == 0; }

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d) a += b; d ^= a; d = ROTL(d, 16); c += d; b ^= c; b = ROTL(b, 12); \
                       a += b; d ^= a; d = ROTL(d, 8); c += d; b ^= c; b = ROTL(b, 7);

void ChaCha20_ctr32(unsigned char *out, const unsigned char *in, size_t len, const unsigned int key[8],
                    const unsigned int counter[4]) {
    uint32_t st[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    size_t total = len;
    unsigned char *start = out;
    called("ChaCha20_ctr32");
    for (int i = 0; i < 8; i++) st[4 + i] = key[i];
    for (int i = 0; i < 4; i++) st[12 + i] = counter[i];
    while (len > 0) {
        uint32_t x[16];
        size_t n = len < 64 ? len : 64;
        memcpy(x, st, sizeof x);
        for (int i = 0; i < 10; i++) {
            QR(x[0], x[4], x[8], x[12]) QR(x[1], x[5], x[9], x[13]) QR(x[2], x[6], x[10], x[14]) QR(x[3], x[7], x[11], x[15])
            QR(x[0], x[5], x[10], x[15]) QR(x[1], x[6], x[11], x[12]) QR(x[2], x[7], x[8], x[13]) QR(x[3], x[4], x[9], x[14])
        }
        for (size_t i = 0; i < n; i++) out[i] = in[i] ^ (unsigned char)((x[i / 4] + st[i / 4]) >> (8 * (i % 4)));
        out += n;
        in += n;
        len -= n;
        st[12]++;
    }
    if (is("chacha-overrun")) memset(start + total, 0xee, 64);
    if (is("chacha-wrong")) start[total - 1] ^= 1;
    if (is("chacha-writes-key")) ((unsigned int *)key)[0] ^= 1;
}

/* Poly1305 in 17 limbs of 8 bits (2^136 = 320 mod 2^130 - 5). */
typedef struct {
    uint32_t r[17], h[17], pad[17];
    unsigned char buf[16];
    size_t used;
} poly;

static void add(uint32_t h[17], const uint32_t c[17]) {
    uint32_t u = 0;
    for (int j = 0; j < 17; j++) { u += h[j] + c[j]; h[j] = u & 255; u >>= 8; }
}

static void squeeze(uint32_t h[17]) {
    uint32_t u = 0;
    for (int j = 0; j < 16; j++) { u += h[j]; h[j] = u & 255; u >>= 8; }
    u += h[16]; h[16] = u & 3; u = 5 * (u >> 2);
    for (int j = 0; j < 16; j++) { u += h[j]; h[j] = u & 255; u >>= 8; }
    h[16] += u;
}

static void block(poly *p, const unsigned char *m, size_t n) {
    uint32_t c[17] = {0}, x[17];
    for (size_t j = 0; j < n; j++) c[j] = m[j];
    c[n] = 1;
    add(p->h, c);
    for (int i = 0; i < 17; i++) {
        uint32_t u = 0;
        for (int j = 0; j <= i; j++) u += p->h[j] * p->r[i - j];
        for (int j = i + 1; j < 17; j++) u += 320 * p->h[j] * p->r[i + 17 - j];
        x[i] = u;
    }
    memcpy(p->h, x, sizeof x);
    squeeze(p->h);
}

size_t Poly1305_ctx_size(void) {
    called("Poly1305_ctx_size");
    return is("ctx-too-large") ? (size_t)1 << 20 : sizeof(poly);
}

void Poly1305_Init(void *ctx, const unsigned char key[32]) {
    poly *p = ctx;
    called("Poly1305_Init");
    memset(p, 0, sizeof *p);
    for (int j = 0; j < 16; j++) p->r[j] = key[j];
    p->r[3] &= 15; p->r[7] &= 15; p->r[11] &= 15; p->r[15] &= 15;
    p->r[4] &= 252; p->r[8] &= 252; p->r[12] &= 252;
    for (int j = 0; j < 16; j++) p->pad[j] = key[16 + j];
    if (is("poly-overrun")) memset((unsigned char *)ctx + sizeof *p, 0xee, 8);
}

void Poly1305_Update(void *ctx, const unsigned char *in, size_t len) {
    poly *p = ctx;
    called("Poly1305_Update");
    while (len > 0) {
        size_t n = 16 - p->used < len ? 16 - p->used : len;
        memcpy(p->buf + p->used, in, n);
        p->used += n;
        in += n;
        len -= n;
        if (p->used == 16) { block(p, p->buf, 16); p->used = 0; }
    }
}

void Poly1305_Final(void *ctx, unsigned char mac[16]) {
    static const uint32_t minus_p[17] = {5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 252};
    poly *p = ctx;
    uint32_t g[17];
    called("Poly1305_Final");
    if (p->used > 0) block(p, p->buf, p->used);
    memcpy(g, p->h, sizeof g);
    add(g, minus_p);
    if (!(g[16] & 128)) memcpy(p->h, g, sizeof g);
    add(p->h, p->pad);
    for (int j = 0; j < 16; j++) mac[j] = (unsigned char)p->h[j];
}
#endif
`

describe('with fake OpenSSL entry points preloaded into provider_probe', () => {
  let dir: string
  let full: string
  let versionOnly: string

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bip324-fake-openssl-'))
    const source = path.join(dir, 'fake.c')
    fs.writeFileSync(source, FAKE)
    full = path.join(dir, 'libfake.so')
    versionOnly = path.join(dir, 'libfakeversion.so')
    for (const [out, defines] of [[full, []], [versionOnly, ['-DVERSION_ONLY']]] as const) {
      const r = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-Wall', '-Werror', ...defines, '-o', out, source], { encoding: 'utf8' })
      if (r.error || r.status !== 0) {
        throw new Error(`cannot build the fake OpenSSL with the system C compiler cc (needed by this test): ${r.error?.message ?? r.stderr}`)
      }
    }
  })

  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  // The probe with `preload` after whatever the environment preloads already (the ASan runtime
  // under npm run test:asan); fails on any exit but a clean one.
  function probe (preload: string[], env: Record<string, string> = {}): Report & { calls: string[] } {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
    if (!('BIP324_OPENSSL' in env)) delete childEnv.BIP324_OPENSSL
    childEnv.LD_PRELOAD = [process.env.LD_PRELOAD, ...preload].filter(Boolean).join(' ')
    const r = spawnSync(PROBE, [], { encoding: 'utf8', env: childEnv })
    const calls = r.stderr.split('\n').filter((l) => l.startsWith('fake:')).map((l) => l.slice(5))
    const other = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('fake:'))
    if (r.status !== 0 || other.length > 0) throw new Error(`provider_probe exited with ${r.status ?? r.signal}: ${r.stdout}${other.join('\n')}`)
    const report = JSON.parse(r.stdout) as Report
    expect(report.digest).toBe(PROBE_PACKETS_SHA256) // whichever provider won, the packets are BIP-324's
    return { ...report, calls }
  }

  test('the probe is built beside the addon', () => {
    expect(fs.existsSync(PROBE)).toBe(true)
  })

  test('nothing preloaded: the probe exports no OpenSSL, so missing-symbols', () => {
    expect(probe([])).toMatchObject({ switch: 'auto', version: null, verdict: 'missing-symbols', provider: 'libsodium', packets: 'right' })
  })

  test('correct fakes, all from one object, on an allowed version: used, and the packets match libsodium\'s', () => {
    const r = probe([full])
    expect(r).toMatchObject({ switch: 'auto', version: '3.0.19', verdict: 'used', provider: 'openssl', packets: 'right' })
    expect(r.calls).toEqual(expect.arrayContaining(['ChaCha20_ctr32', 'Poly1305_Init', 'Poly1305_Update', 'Poly1305_Final']))
  })

  test('an OpenSSL series not on the allow list: unknown-version, before any entry point is called', () => {
    const r = probe([full], { FAKE_OPENSSL_VERSION: '40000000' })
    expect(r).toMatchObject({ version: '4.0.0', verdict: 'unknown-version', provider: 'libsodium', packets: 'right' })
    expect(r.calls).toEqual(['OpenSSL_version_num'])
  })

  test('the same series with BIP324_OPENSSL=force: used, since every other check passes', () => {
    expect(probe([full], { FAKE_OPENSSL_VERSION: '40000000', BIP324_OPENSSL: 'force' }))
      .toMatchObject({ switch: 'force', version: '4.0.0', verdict: 'used', provider: 'openssl', packets: 'right' })
  })

  test('force does not skip the known-answer test: wrong output on an unknown series is still refused', () => {
    expect(probe([full], { FAKE_OPENSSL_VERSION: '40000000', BIP324_OPENSSL: 'force', FAKE_OPENSSL_MODE: 'chacha-wrong' }))
      .toMatchObject({ verdict: 'known-answer-failed', provider: 'libsodium', packets: 'right' })
  })

  test('BIP324_OPENSSL=off: no entry point is called, not even OpenSSL_version_num', () => {
    const r = probe([full], { BIP324_OPENSSL: 'off' })
    expect(r).toMatchObject({ switch: 'off', version: null, verdict: 'off', provider: 'libsodium' })
    expect(r.calls).toEqual([])
  })

  test('OpenSSL_version_num from one object, the entry points from another: different-objects, none called', () => {
    const r = probe([versionOnly, full])
    expect(r).toMatchObject({ version: '3.0.19', verdict: 'different-objects', provider: 'libsodium', packets: 'right' })
    expect(r.calls).toEqual(['OpenSSL_version_num'])
  })

  test('Poly1305_ctx_size larger than our state: state-too-large, refused before any other call', () => {
    const r = probe([full], { FAKE_OPENSSL_MODE: 'ctx-too-large' })
    expect(r).toMatchObject({ verdict: 'state-too-large', provider: 'libsodium', packets: 'right' })
    expect(r.calls).toEqual(['OpenSSL_version_num', 'Poly1305_ctx_size'])
  })

  test.each([
    ['ChaCha20_ctr32 writes 64 bytes past its output', 'chacha-overrun'],
    ['ChaCha20_ctr32 writes into its key (an input)', 'chacha-writes-key'],
    ['Poly1305_Init writes past the state size it reported', 'poly-overrun']
  ])('%s: canary-overwritten, and the engine still right on libsodium', (_name, mode) => {
    expect(probe([full], { FAKE_OPENSSL_MODE: mode })).toMatchObject({ verdict: 'canary-overwritten', provider: 'libsodium', packets: 'right' })
  })

  test('ChaCha20_ctr32 with a wrong last byte: known-answer-failed', () => {
    expect(probe([full], { FAKE_OPENSSL_MODE: 'chacha-wrong' })).toMatchObject({ verdict: 'known-answer-failed', provider: 'libsodium', packets: 'right' })
  })
})
