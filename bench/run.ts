// `npm run bench`: runs every benchmark, prints medians and same-run ratios, and writes the
// results with the Node version, CPU and date to bench/results/<date>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { allocBenchmarks } from './alloc.bench.js';
import { cellBenchmarks } from './cell.bench.js';
import { channelBenchmarks } from './channels.bench.js';
import { collectionBenchmarks } from './collections.bench.js';
import { diagnosticsBenchmarks } from './diagnostics.bench.js';
import { incumbentBenchmarks } from './incumbent.bench.js';
import { opsBenchmarks } from './ops.bench.js';
import { reclaimBenchmarks } from './reclaim.bench.js';
import { recordBenchmarks } from './record.bench.js';
import { lowContention, stmBenchmarks } from './stm.bench.js';
import { workersBenchmarks } from './workers.bench.js';

export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly baseline: number;
  readonly baselineName: string;
  /** value / baseline (throughputs: higher is better; times: lower; the target says which). */
  readonly ratio: number;
  readonly target: string;
}

const quick = process.argv.includes('--quick');
const samples = quick ? 3 : 7;
const durationMs = quick ? 300 : 1000;

const format = (n: number): string => (n >= 1000 ? n.toExponential(3) : n.toFixed(n < 10 ? 2 : 1));

const results: BenchResult[] = [];
// The 1-minute load average when the run started and ended: other work on the machine shows here.
const loadAtStart = loadavg()[0] ?? 0;
// A long suite yields each row as soon as it is measured (the stm suite takes ~15 minutes).
type Suite = (
  samples: number,
  durationMs: number,
) => BenchResult[] | Promise<BenchResult[]> | AsyncIterable<BenchResult>;
const suites: Record<string, Suite> = {
  alloc: allocBenchmarks,
  cell: cellBenchmarks,
  collections: collectionBenchmarks,
  channels: channelBenchmarks,
  ops: opsBenchmarks,
  record: recordBenchmarks,
  reclaim: reclaimBenchmarks,
  stm: stmBenchmarks,
  bank: lowContention,
  workers: workersBenchmarks,
  diagnostics: diagnosticsBenchmarks,
  // Last: importing `multithreading` replaces globals (Worker, self). Needs Node ≥ 22, see its file.
  incumbent: incumbentBenchmarks,
};
// `--only=stm,cell` runs some suites (their results go to a file of their own).
const only = process.argv
  .find((argument) => argument.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
// Parts of a suite that also runs whole: only when named.
const namedOnly = new Set(['bank']);
for (const [name, suite] of Object.entries(suites)) {
  if (only === undefined ? namedOnly.has(name) : !only.includes(name)) continue;
  const started = performance.now();
  for await (const result of await suite(samples, durationMs)) {
    results.push(result);
    process.stdout.write(
      `${result.name.padEnd(52)} ${format(result.value).padStart(10)}  vs ${result.baselineName} ` +
        `${format(result.baseline)}  = ${result.ratio.toFixed(2)}×  (target ${result.target})\n`,
    );
  }
  process.stderr.write(`[${name}: ${((performance.now() - started) / 1000).toFixed(0)} s]\n`);
}

const environment = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  samples,
  durationMs,
  loadAverage: [loadAtStart, loadavg()[0] ?? 0],
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const suffix = only === undefined ? '' : `-${only.join('-')}`;
const file = new URL(`./results/${environment.date.slice(0, 10)}${suffix}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ environment, results }, null, 2) + '\n');
process.stdout.write(`\n${JSON.stringify(environment)}\nwritten to ${file.pathname}\n`);
