/**
 * What a peer sends reaches a terminal only made safe: a user agent or an error message quoting
 * peer data could carry escape sequences that rewrite lines already printed (a forged `session id`,
 * the line the README has users compare with getpeerinfo). --json output stays exact: JSON
 * escapes control characters itself.
 */

/** Bitcoin Core's SanitizeString with SAFE_CHARS_DEFAULT (src/util/strencodings.cpp): letters,
 *  digits and " .,;-_/:?@()" are kept, the rest dropped. What getpeerinfo shows of a peer's user
 *  agent (subver), so the two print the same. */
export function sanitizeString (s: string): string {
  return s.replace(/[^A-Za-z0-9 .,;\-_/:?@()]/g, '')
}

// C0 controls and DEL, C1 controls, and the bidirectional overrides and isolates (which reorder
// what a terminal shows without being control characters).
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** `text` with every control character written as an escape (\x1b, \u202e), so that nothing in it
 *  moves the cursor, clears a line or starts a new one. For a line of ours that may quote a peer. */
export function printable (text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`
  })
}
