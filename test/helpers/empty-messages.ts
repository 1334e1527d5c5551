/** The message types whose payload is empty, for the tables (tests, fuzzer) that want one entry each. */

import type { EmptyCommand } from '../../lib/messages'

// A Record, so that the compiler refuses a type missing from lib/messages/codecs/empty.ts or one it lacks.
const EMPTY: Record<EmptyCommand, true> = { verack: true, getaddr: true, mempool: true, sendheaders: true, filterclear: true, sendaddrv2: true, wtxidrelay: true }

export const EMPTY_COMMANDS = Object.keys(EMPTY) as EmptyCommand[]
