#ifndef BIP324_CHACHA20_ROUNDS_H
#define BIP324_CHACHA20_ROUNDS_H

/* ChaCha20's 20 rounds over the working state x[16] (RFC 8439 2.3: ten times a column round, then
 * a diagonal round), with the QUARTER(a, b, c, d) macro of the including file: scalar words in
 * chacha20_lanes.c, SIMD128 vectors of four blocks' words in wasm/chacha20_simd.c. */
#define BIP324_CHACHA20_ROUNDS(x)                   \
    for (int round_ = 0; round_ < 10; round_++) {   \
        QUARTER((x)[0], (x)[4], (x)[8], (x)[12]);   \
        QUARTER((x)[1], (x)[5], (x)[9], (x)[13]);   \
        QUARTER((x)[2], (x)[6], (x)[10], (x)[14]);  \
        QUARTER((x)[3], (x)[7], (x)[11], (x)[15]);  \
        QUARTER((x)[0], (x)[5], (x)[10], (x)[15]);  \
        QUARTER((x)[1], (x)[6], (x)[11], (x)[12]);  \
        QUARTER((x)[2], (x)[7], (x)[8], (x)[13]);   \
        QUARTER((x)[3], (x)[4], (x)[9], (x)[14]);   \
    }

#endif
