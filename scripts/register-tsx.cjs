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

// Node 26 deprecates `module.register()` (DEP0205) in favour of the in-thread
// `module.registerHooks()`, and says so once per thread: hundreds of lines per test run. tsx's own
// `tsx/esm/api` switches to `registerHooks` on such Node versions, but its `module.register`
// fallback (Node 20 and early 24) fails to find its loader, so this file keeps one path for every
// Node line and silences exactly that warning for exactly this call. The hooks still run as before.
const deprecatedRegister = 'DEP0205';
const { emitWarning } = process;
process.emitWarning = function emitWarningExceptRegister(warning, ...rest) {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? rest[0].code : rest[1];
  if (code === deprecatedRegister) return;
  Reflect.apply(emitWarning, this, [warning, ...rest]);
};
try {
  register('tsx/esm', pathToFileURL(__filename), { data: {} });
} finally {
  process.emitWarning = emitWarning;
}
// Stack traces point at the TypeScript source; `node --import tsx` does the same.
process.setSourceMapsEnabled(true);
