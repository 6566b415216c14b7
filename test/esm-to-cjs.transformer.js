/**
 * Jest transformer for the ES-module-only packages (NestJS 12 and a few of its dependencies):
 * TypeScript's transpiler rewrites import/export to CommonJS, and `import.meta.url`, which has no
 * CommonJS form, becomes this file's URL.
 */
const { createHash } = require('node:crypto');
const ts = require('typescript');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;

module.exports = {
  getCacheKey(source, path) {
    return createHash('sha256').update(ts.version).update('v2').update(path).update(source).digest('hex');
  },
  process(source, path) {
    const commonJs = source
      .replace(/^const require = createRequire\(import\.meta\.url\);$/m, '')
      .replace(/\bimport\.meta\.resolve\(/g, 'require.resolve(')
      .replace(/\bimport\.meta\.dirname\b/g, '__dirname')
      .replace(IMPORT_META_URL, "require('node:url').pathToFileURL(__filename).href");
    const output = ts.transpileModule(commonJs, {
      fileName: path,
      compilerOptions: {
        allowJs: true,
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        sourceMap: false,
      },
    });
    return { code: output.outputText };
  },
};
