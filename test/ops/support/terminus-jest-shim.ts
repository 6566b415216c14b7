import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Jest loads NestJS 12's ES modules through test/esm-to-cjs.transformer.js, which rewrites only
 * `import.meta.url`. Three files of @nestjs/terminus need more, and fail to load without it:
 * - health-check.decorator.js declares `const require = createRequire(import.meta.url)`, which
 *   clashes with the CommonJS wrapper's own `require` ("Identifier 'require' has already been
 *   declared");
 * - utils/checkPackage.util.js uses `import.meta.resolve`, grpc.health.js `import.meta.dirname`
 *   ("Must use import to load ES Module").
 * The built service loads the real files through Node's require(esm). Until the transformer does
 * the same rewrites, this module registers those three files, rewritten, before any test imports
 * @nestjs/terminus: import it first.
 */
const TERMINUS_DIST = join(__dirname, '..', '..', '..', 'node_modules', '@nestjs', 'terminus', 'dist');
const FILES = [
  'health-check/health-check.decorator.js',
  'utils/checkPackage.util.js',
  'health-indicator/microservice/grpc.health.js',
];

const transformer = require('../../esm-to-cjs.transformer.js') as { process(source: string, path: string): { code: string } };

/** The rewrites the transformer lacks; each is what Node does for the ES module. */
export function rewriteEsmOnlyConstructs(source: string): string {
  return source
    .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
    .replace(/\bimport\.meta\.resolve\(/g, 'require.resolve(')
    .replace(/\bimport\.meta\.dirname\b/g, '__dirname');
}

function loadRewritten(path: string): unknown {
  const { code } = transformer.process(rewriteEsmOnlyConstructs(readFileSync(path, 'utf8')), path);
  const localRequire = ((specifier: string) =>
    jest.requireActual(specifier.startsWith('.') ? resolve(dirname(path), specifier) : specifier)) as NodeJS.Require;
  localRequire.resolve = ((specifier: string) => require.resolve(specifier)) as NodeJS.RequireResolve;
  const module = { exports: {} as Record<string, unknown> };
  // The same wrapper Node and Jest give a CommonJS file.
  new Function('exports', 'require', 'module', '__filename', '__dirname', code)(module.exports, localRequire, module, path, dirname(path));
  return module.exports;
}

for (const file of FILES) {
  const path = join(TERMINUS_DIST, file);
  jest.doMock(path, () => loadRewritten(path));
}
