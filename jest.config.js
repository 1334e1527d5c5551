'use strict'
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The noble/scure libraries (and scure's micro-packed) are ES modules: compiled to CommonJS for jest.
  transform: { '^.+\\.(ts|js)$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@scure|micro-packed)/)'],
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/summary-reporter.js']
}
