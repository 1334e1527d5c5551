// The ESM entry re-exports the CommonJS build rather than being a second build: one module
// instance, so an app mixing import and require shares one addon, one state and one Bip324Error
// class (instanceof keeps working). Node finds the named exports by static analysis of
// dist/index.js (cjs-module-lexer), which reads tsc's CommonJS output.
export * from '../dist/index.js'
export { default } from '../dist/index.js'
