// Preload that lets Node run TypeScript through tsx in the main thread AND in worker threads.
//
// Use it as `node --require ./scripts/register-tsx.cjs file.ts` instead of `node --import tsx`.
// On Node 20, `--import` preloads run only in the main thread, so a worker_threads Worker started
// from a .ts file fails with ERR_UNKNOWN_FILE_EXTENSION even though it inherits `--import tsx` in
// its execArgv. `--require` preloads do run in every worker, and `module.register` works there,
// so registering tsx's ESM hooks from here covers workers (and workers started by workers) as
// long as they keep the default execArgv. This registers exactly what tsx's own `register()`
// does; the `data` object is required by tsx's `initialize` hook.
'use strict';

const { register } = require('node:module');
const { pathToFileURL } = require('node:url');

register('tsx/esm', pathToFileURL(__filename), { data: {} });
// Stack traces point at the TypeScript source; `node --import tsx` does the same.
process.setSourceMapsEnabled(true);
