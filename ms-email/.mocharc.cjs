/* global module -- CommonJS: mocha reads this file with require() */
// `npm test -w ms-email`: this service's tests only (the root config runs the whole repository).
module.exports = {
  'node-option': ['import=tsx'],
  spec: ['test/**/*.test.ts'],
  timeout: 30000,
  slow: 2000,
  exit: true,
};
