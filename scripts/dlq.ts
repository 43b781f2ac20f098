/** Entry point of `npm run dlq`; see scripts/dlq/cli.ts. */
import { runDlq } from './dlq/cli.js';

const { exitCode, lines } = await runDlq(process.argv.slice(2), process.env);
(exitCode === 0 ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
process.exitCode = exitCode;
