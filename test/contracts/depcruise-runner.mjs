/**
 * Runs dependency-cruiser's JS API (an ES module, which Jest's CommonJS loader cannot import) on
 * a folder with this repository's rules, as `npm run lint:deps` would, and prints the violations
 * as JSON. Usage: node depcruise-runner.mjs <config file> <base folder> <folder>...
 */
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const [configFile, baseDir, ...targets] = process.argv.slice(2);
const ruleSet = createRequire(import.meta.url)(resolve(configFile));
process.chdir(baseDir);
const tsConfigFile = join(process.cwd(), ruleSet.options.tsConfig.fileName);
const result = await cruise(targets, { validate: true, ruleSet, outputType: 'json' }, {}, { tsConfig: extractTSConfig(tsConfigFile) });
const { summary } = JSON.parse(result.output);
process.stdout.write(JSON.stringify({ exitCode: result.exitCode, violations: summary.violations, ignore: summary.ignore ?? 0 }));
