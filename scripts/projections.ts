/**
 * `npm run projections -- <command>`: kept as an alias of `npm run cli -- projections <command>`
 * (libs/cli/src/projections), which documents the commands.
 */
import { runCliProcess } from '@vinsight/cli';

runCliProcess(['projections', ...process.argv.slice(2)]);
