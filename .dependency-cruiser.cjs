// dependency-cruiser rules for src/ (STYLE.md conventions 7 and 8).
//
// Layers, lowest first. A file may import its own layer or a lower one, and a lower layer only
// through that layer's index.ts. Layers in the same inner array are siblings and must not import
// each other. diagnostics is the one exception: it may reach into the internals of any layer
// below it, but, being high in the order, nothing below it may import it. src/index.ts is the
// public facade and may import any layer's index.ts.
'use strict';

/** @type {string[][]} */
const layers = [
  ['base'],
  ['platform'],
  ['memory'],
  ['alloc'],
  ['values'],
  ['reclaim'],
  ['stm'],
  ['objects'],
  ['collections', 'channels'],
  ['workers'],
  ['diagnostics'],
  ['api'],
  ['cli'],
];

const allLayers = layers.flat();
const anyLayer = `(${allLayers.join('|')})`;
// Layers allowed to deep-import lower layers' internals.
const deepImportExempt = ['diagnostics'];

// For each layer: every layer at the same rank (other than itself) or above is off-limits.
const layerOrderRules = layers.flatMap((rank, rankIndex) =>
  rank.map((layer) => {
    const forbidden = [
      ...rank.filter((sibling) => sibling !== layer),
      ...layers.slice(rankIndex + 1).flat(),
    ];
    return { layer, forbidden };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles anywhere in src (type-only imports included).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...layerOrderRules
      .filter(({ forbidden }) => forbidden.length > 0)
      .map(({ layer, forbidden }) => ({
        name: `layer-order-${layer}`,
        severity: 'error',
        comment: `src/${layer} may import only its own layer or lower layers (not siblings).`,
        from: { path: `^src/${layer}/` },
        to: { path: `^src/(${forbidden.join('|')})/` },
      })),
    {
      name: 'no-deep-import-across-layers',
      severity: 'error',
      comment:
        'Import another layer only through its index.ts (e.g. ../memory/index.js); ' +
        'only diagnostics may reach into internals.',
      from: {
        path: `^src/${anyLayer}/`,
        pathNot: `^src/(${deepImportExempt.join('|')})/`,
      },
      to: {
        path: `^src/${anyLayer}/.+`,
        pathNot: ['^src/$1/', `^src/${anyLayer}/index\\.ts$`],
      },
    },
    {
      name: 'facade-imports-layer-indexes-only',
      severity: 'error',
      comment: 'src/index.ts may import a layer only through its index.ts.',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/[^/]+/', pathNot: `^src/${anyLayer}/index\\.ts$` },
    },
    {
      name: 'nothing-imports-the-facade',
      severity: 'error',
      comment: 'src/index.ts is the public facade; code inside src must not import it.',
      from: { path: '^src/' },
      to: { path: '^src/index\\.ts$' },
    },
    {
      name: 'no-unknown-layer',
      severity: 'error',
      comment: `Code under src/ lives in one of the known layers: ${allLayers.join(', ')}.`,
      from: { path: '^src/' },
      to: { path: '^src/', pathNot: [`^src/${anyLayer}/`, '^src/index\\.ts$'] },
    },
    {
      name: 'no-unknown-layer-importer',
      severity: 'error',
      comment: `Code under src/ lives in one of the known layers: ${allLayers.join(', ')}.`,
      from: { path: '^src/', pathNot: [`^src/${anyLayer}/`, '^src/index\\.ts$'] },
      to: {},
    },
    {
      name: 'node-builtins-only-in-platform-workers-cli',
      severity: 'error',
      comment:
        'Node built-ins are allowed only in src/platform/node*.ts, src/workers/** and src/cli/**; ' +
        'everything else goes through the platform layer.',
      from: {
        path: '^src/',
        pathNot: ['^src/platform/node[^/]*\\.ts$', '^src/workers/', '^src/cli/'],
      },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-dev-dependencies-in-src',
      severity: 'error',
      comment: 'src/ must not import devDependencies (they are not installed for users).',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-runtime-dependencies',
      severity: 'error',
      comment:
        'The library has zero runtime dependencies: src/ imports no npm packages, except the ' +
        'CLI (src/cli), which nothing imports, and whose dependencies only the command loads.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-optional',
          'npm-peer',
          'npm-bundled',
          'npm-no-pkg',
          'npm-unknown',
        ],
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import must resolve to a file.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
