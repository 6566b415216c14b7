/**
 * Three tiers, selected by file suffix.
 *
 * NestJS 12 ships its packages as ES modules only. Node 20.19+ loads them from CommonJS with
 * require(esm), but Jest's module loader does not (only on Node >= 24.9), so Jest transpiles those
 * packages to CommonJS with the same TypeScript transformer (isolated, cached after the first run).
 */
const ESM_ONLY_PACKAGES = [
  '@nestjs',
  'file-type',
  'strtok3',
  'token-types',
  'peek-readable',
  'uint8array-extras',
  '@tokenizer',
  'load-esm',
];

const moduleNameMapper = {
  '^@vinsight/(cli|command-processing|config|contracts|database|domain|health|kafka|observability|personal-data|projections|read-api|runtime)$':
    '<rootDir>/libs/$1/src',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  '^.+\\.m?js$': '<rootDir>/test/esm-to-cjs.transformer.js',
};
const base = {
  rootDir: __dirname,
  moduleNameMapper,
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test,scripts}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-timeouts.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-timeouts.ts'],
    },
    {
      // Only against the secured stack (`make test-secure`, deploy/local/run-secure-tests.sh).
      ...base,
      displayName: 'secure',
      testMatch: ['<rootDir>/test/**/*.secure-spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/jest-timeouts.ts'],
    },
  ],
};
