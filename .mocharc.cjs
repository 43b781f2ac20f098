// One mocha run for the whole repository: every workspace's tests, then the end-to-end suite.
module.exports = {
  'node-option': ['import=tsx'],
  spec: [
    'platform/test/**/*.test.ts',
    'ms-*/test/**/*.test.ts',
    'scripts/test/**/*.test.ts',
    'e2e/**/*.test.ts',
  ],
  timeout: 30000,
  slow: 2000,
  exit: true,
  reporter: './scripts/mocha-summary-reporter.cjs',
};
