// Options shared by every mocha run. The spec list lives in scripts/test.sh, so a developer
// can run one file with `npx mocha path/to/file.test.ts` without the whole suite joining in.
module.exports = {
  'node-option': ['import=tsx'],
  timeout: 30000,
  slow: 2000,
  exit: true,
  reporter: require('node:path').join(__dirname, 'scripts', 'mocha-summary-reporter.cjs'),
};
