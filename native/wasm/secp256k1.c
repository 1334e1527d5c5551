/* libsecp256k1 (deps/secp256k1, with the ellswift module) as one translation unit, and BIP-324's
 * xswiftec_inv, which the library keeps static: the tests check the BIP's xswiftec_inv vectors
 * against it (test/wasm-backend.test.ts). */

#include "../../deps/secp256k1/src/secp256k1.c"

/* xswiftec_inv(x, u, c): t such that u || t decodes to x under case c.
 * Returns: 1 and t32, or 0 if x is not on the curve or this case has no t.
 * In: x32, u32 (big-endian; u reduced mod p, and not 0), c (0..7). */
__attribute__((export_name("xswiftec_inv"))) int bip324_wasm_xswiftec_inv(unsigned char *t32, const unsigned char *x32,
                                                                          const unsigned char *u32, int c) {
    secp256k1_fe x, u, t;
    if (c < 0 || c > 7 || !secp256k1_fe_set_b32_limit(&x, x32) || !secp256k1_ge_x_on_curve_var(&x)) return 0;
    secp256k1_fe_set_b32_mod(&u, u32);
    if (secp256k1_fe_normalizes_to_zero_var(&u)) return 0;
    if (!secp256k1_ellswift_xswiftec_inv_var(&t, &x, &u, c)) return 0;
    secp256k1_fe_normalize_var(&t);
    secp256k1_fe_get_b32(t32, &t);
    return 1;
}
