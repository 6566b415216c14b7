import { runCliProcess } from './cli.process';

runCliProcess(process.argv.slice(2));
