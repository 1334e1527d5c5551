// Types of esm/index.mjs: the CommonJS build's, plus the default export Node gives an ESM import of it.
import * as bip324 from '../dist/index.js'
export * from '../dist/index.js'
export default bip324
