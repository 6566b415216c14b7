/**
 * Layer rules of .github/copilot-instructions.md, checked by `npm run lint:deps`
 * (`depcruise --config .dependency-cruiser.js apps libs`). test/contracts/dependency-rules.spec.ts
 * proves on fixtures that each rule bites.
 *
 * Modules are matched by resolved path: `@vinsight/<lib>` aliases resolve through tsconfig.json's
 * "paths" to `libs/<lib>/src`, npm packages to `node_modules/...`. A package that cannot be resolved
 * keeps its bare name, so the package patterns below match both forms, and `not-to-unresolvable`
 * makes sure nothing slips past the rules by failing to resolve.
 */

/** A package by name, resolved (`node_modules/<name>/…`, its `@types` too) or not (`<name>`). */
const pkg = (name) => `(^|/)node_modules/(@types/)?${name}(/|$)|^${name}(/|$)`;
const any = (...patterns) => patterns.map((pattern) => `(${pattern})`).join('|');

const PRISMA = any('^prisma/generated/', pkg('@prisma/[^/]+'), pkg('prisma'));

/** What the pure domain may never import. */
const FRAMEWORKS_AND_IO = any(pkg('@nestjs/[^/]+'), pkg('kafkajs'), pkg('pg'), pkg('class-validator'), pkg('class-transformer'), PRISMA);

/** Packages the contracts may use: class-validator and its companions (schemas, decorator metadata, ajv compiling the schemas). */
const CONTRACTS_PACKAGES = any(
  pkg('ajv'),
  pkg('class-validator'),
  pkg('class-transformer'),
  pkg('class-validator-jsonschema'),
  pkg('reflect-metadata'),
);

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'libs/domain decides with pure functions: no framework, no Kafka, no database, no validation library, ' + 'and no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { path: any(FRAMEWORKS_AND_IO, '^libs/(?!domain/)', '^apps/') },
    },
    {
      name: 'domain-no-platform-modules',
      comment:
        'Time and ids come into the domain through the command metadata, never from node:crypto or other ' +
        'Node built-ins (no randomUUID() in the domain).',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'contracts-only-domain',
      comment:
        'libs/contracts is shared with other teams: it may build on libs/domain and class-validator ' +
        '(with class-transformer, class-validator-jsonschema, reflect-metadata), nothing else of ours or npm.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: any('^libs/(?!contracts/|domain/)', '^apps/', '^prisma/') },
    },
    {
      name: 'contracts-only-validation-packages',
      comment: 'The npm packages libs/contracts may import (see contracts-only-domain).',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'],
        pathNot: CONTRACTS_PACKAGES,
      },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'apps/ are composition roots; libs never reach back into them.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'not-to-test',
      comment:
        'Code that ships (apps/, libs/ outside their specs) never imports test/: fixtures, harnesses and ' +
        'test environments stay out of the build.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { path: '^test/' },
    },
    {
      name: 'no-orphans',
      comment:
        'A module nothing imports and that imports nothing is dead code or a forgotten entry point. ' +
        'Entry points import what they run, so they are never orphans.',
      severity: 'error',
      from: { orphan: true, pathNot: any('\\.d\\.ts$', '(^|/)node_modules/', '^prisma/generated/') },
      to: {},
    },
    {
      name: 'prisma-only-in-repositories',
      comment:
        'Prisma appears only in read-model repository files (*.repository.ts), which return our own types, ' +
        'and in libs/database, which owns the client.',
      severity: 'error',
      from: { pathNot: any('\\.repository\\.ts$', '^libs/database/', '^prisma/generated/', '(^|/)node_modules/') },
      to: { path: PRISMA },
    },
    {
      name: 'no-circular',
      comment: 'Modules form no cycles (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve would escape every rule above (and fail at run time).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    /**
     * Violations found when these rules were introduced, kept visible ("‼ N known violations
     * ignored" on every run) rather than hidden by a weaker rule. Delete an entry once fixed.
     * - read-models.database.ts builds the read API's PrismaClient outside libs/database; the
     *   client (and its PrismaPg adapter) belongs in libs/database, handed to the repositories.
     * - docs.controller → openapi.document → read-api-http.module → docs.controller: the module
     *   that declares the docs controller is imported back by the document the controller serves.
     */
    knownViolations: [
      {
        type: 'cycle',
        from: 'libs/read-api/src/openapi/docs.controller.ts',
        to: 'libs/read-api/src/openapi/openapi.document.ts',
        rule: { severity: 'error', name: 'no-circular' },
        cycle: [
          { name: 'libs/read-api/src/openapi/openapi.document.ts', dependencyTypes: ['local', 'import'] },
          { name: 'libs/read-api/src/read-api-http.module.ts', dependencyTypes: ['local', 'import'] },
          { name: 'libs/read-api/src/openapi/docs.controller.ts', dependencyTypes: ['local', 'import'] },
        ],
      },
      {
        type: 'dependency',
        from: 'libs/read-api/src/database/read-models.database.ts',
        to: 'prisma/generated/client.ts',
        rule: { severity: 'error', name: 'prisma-only-in-repositories' },
      },
      {
        type: 'dependency',
        from: 'libs/read-api/src/database/read-models.database.ts',
        to: 'node_modules/@prisma/adapter-pg/dist/index.d.ts',
        rule: { severity: 'error', name: 'prisma-only-in-repositories' },
      },
    ],
    // Generated code is not ours to lint (the Prisma client has cycles of its own); imports of it still count.
    doNotFollow: { path: any('(^|/)node_modules/', '^prisma/generated/') },
    exclude: { path: '^(dist|coverage|\\.local)/' },
    // Type-only imports count: `import type { Pool } from 'pg'` in the domain is still a dependency on pg.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // NestJS 12 packages are ES-module only: resolve their "import" export too.
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['main', 'types', 'typings'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
