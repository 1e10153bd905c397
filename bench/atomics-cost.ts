// What an atomic operation costs on this machine, next to what the basic operations cost and the
// baselines the targets of issue 12 compare them with (Map.get on a 100 000-key map, an
// uncontended spin lock around counter++). Input of docs/decisions/0009-atomics-budget.md, with
// the counts of bench/atomics-count.ts.
//
//   node --require ./scripts/register-tsx.cjs bench/atomics-cost.ts [--rounds=N] [--json=FILE]
//
// The machine has 2 cores and drifts by up to 2× between minutes (other work runs on it), so each
// figure is the median over rounds, each round a median of samples (bench/lib/measure.ts), and the
// rounds interleave every item, so that a slow phase hits all of them alike. Figures include the
// loop around the operation ('empty loop' row: subtract it for the operation alone).
//
// One ablation: `ReclaimParticipant.prototype.enter` (the epoch check at the start of every
// operation) replaced by an empty method, timed against the unchanged build in pairs — what that
// one atomic load and its call cost inside `cell.get()`. Single-threaded, so skipping it is safe
// here; it says nothing about correctness.
import { writeFileSync } from 'node:fs';
import { Heap } from '../src/index.js';
import { ReclaimParticipant } from '../src/reclaim/index.js';
import { basicOperations } from './lib/basic-operations.js';
import { mapGetScattered, nsPerOp, type Body } from './lib/cpu-time.js';
import { lockGlobal, unlockGlobal } from './lib/global-lock.js';
import { blackhole, median } from './lib/measure.js';

const rounds = Number(
  process.argv.find((argument) => argument.startsWith('--rounds='))?.slice(9) ?? '15',
);
const jsonFile = process.argv.find((argument) => argument.startsWith('--json='))?.slice(7);
const samples = 5;
// Short samples and many rounds: a round takes a few seconds, so the figures it pairs (an
// operation and its baseline) see the same phase of the machine.
const sampleMs = 30;

const buffer = new SharedArrayBuffer(4096);
const i32 = new Int32Array(buffer);
const b64 = new BigInt64Array(buffer);
const f64 = new Float64Array(buffer, 2048, 8);
const zero = 0n;
const one = 1n;
const seven = 7n;

const mapKeys = 100_000;
const map = new Map<number, number>();
for (let key = 0; key < mapKeys; key += 1) map.set(key, key);

const lockWord = new Int32Array(new SharedArrayBuffer(128), 0, 1);
const lockedCounter = new Float64Array(lockWord.buffer, 64, 1);

const primitives: [string, Body][] = [
  [
    'empty loop',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += i & 7;
      blackhole.value = sum;
    },
  ],
  [
    'Atomics.load Int32Array',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += Atomics.load(i32, i & 7);
      blackhole.value = sum;
    },
  ],
  [
    'Atomics.load BigInt64Array',
    (n) => {
      let hits = 0;
      for (let i = 0; i < n; i += 1) if (Atomics.load(b64, 64 + (i & 7)) === seven) hits += 1;
      blackhole.value = hits;
    },
  ],
  [
    'Atomics.store Int32Array',
    (n) => {
      for (let i = 0; i < n; i += 1) Atomics.store(i32, 16 + (i & 7), i);
    },
  ],
  [
    'Atomics.store BigInt64Array',
    (n) => {
      for (let i = 0; i < n; i += 1) Atomics.store(b64, 80 + (i & 7), (i & 1) === 0 ? zero : one);
    },
  ],
  [
    'Atomics.compareExchange Int32Array (succeeds)',
    (n) => {
      Atomics.store(i32, 32, 0);
      for (let i = 0; i < n; i += 1) Atomics.compareExchange(i32, 32, i, i + 1);
    },
  ],
  [
    'Atomics.compareExchange BigInt64Array (succeeds)',
    (n) => {
      Atomics.store(b64, 96, zero);
      for (let i = 0; i < n; i += 1) {
        const even = (i & 1) === 0;
        Atomics.compareExchange(b64, 96, even ? zero : one, even ? one : zero);
      }
    },
  ],
  [
    'Atomics.add Int32Array',
    (n) => {
      for (let i = 0; i < n; i += 1) Atomics.add(i32, 48, 1);
    },
  ],
  [
    'Atomics.add BigInt64Array',
    (n) => {
      for (let i = 0; i < n; i += 1) Atomics.add(b64, 112, one);
    },
  ],
  [
    'plain load Int32Array (shared)',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += i32[i & 7] ?? 0;
      blackhole.value = sum;
    },
  ],
  [
    'plain load BigInt64Array (shared)',
    (n) => {
      let hits = 0;
      for (let i = 0; i < n; i += 1) if (b64[64 + (i & 7)] === seven) hits += 1;
      blackhole.value = hits;
    },
  ],
  [
    'plain load Float64Array (shared)',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += f64[i & 7] ?? 0;
      blackhole.value = sum;
    },
  ],
  [
    'plain store Float64Array += 1 (shared)',
    (n) => {
      for (let i = 0; i < n; i += 1) f64[i & 7] = (f64[i & 7] ?? 0) + 1;
    },
  ],
  [
    'performance.now()',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += performance.now();
      blackhole.value = sum;
    },
  ],
  [
    'Map.get, 100 000 keys, one key',
    (n) => {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += map.get(4242 + (i & 1)) ?? 0;
      blackhole.value = sum;
    },
  ],
  ['Map.get, 100 000 keys, scattered keys', mapGetScattered()],
  [
    'Map.get, 100 000 keys, keys in order',
    (n) => {
      let sum = 0;
      let key = 0;
      for (let i = 0; i < n; i += 1) {
        key = key === mapKeys - 1 ? 0 : key + 1;
        sum += map.get(key) ?? 0;
      }
      blackhole.value = sum;
    },
  ],
  [
    'spin lock + counter++ + unlock',
    (n) => {
      for (let i = 0; i < n; i += 1) {
        lockGlobal(lockWord);
        lockedCounter[0] = (lockedCounter[0] ?? 0) + 1;
        unlockGlobal(lockWord);
      }
    },
  ],
];

const heap = Heap.create({ maxBytes: 64 << 20 });
const operations = basicOperations(heap);
const opBodies: [string, Body][] = operations.map(({ name, run }) => [
  name,
  (n) => {
    for (let i = 0; i < n; i += 1) run();
  },
]);
const getBody = opBodies.find(([name]) => name === 'cell.get() outside a tx')?.[1];
const readOneBody = opBodies.find(([name]) => name === 'read-only tx, 1 cell')?.[1];
if (getBody === undefined || readOneBody === undefined) throw new Error('operations renamed');

/** Times `body` with `enter` emptied, then as built, and returns [without, with]. */
function withoutEnter(body: Body): [number, number] {
  const enterDescriptor = Object.getOwnPropertyDescriptor(ReclaimParticipant.prototype, 'enter');
  if (enterDescriptor === undefined) throw new Error('ReclaimParticipant.enter is gone');
  Object.defineProperty(ReclaimParticipant.prototype, 'enter', {
    ...enterDescriptor,
    value: function enter(): void {
      // Ablation: no epoch check (see the file comment).
    },
  });
  let without: number;
  try {
    without = nsPerOp(body, samples, sampleMs);
  } finally {
    Object.defineProperty(ReclaimParticipant.prototype, 'enter', enterDescriptor);
  }
  return [without, nsPerOp(body, samples, sampleMs)];
}

const results = new Map<string, number[]>();
const note = (name: string, value: number): void => {
  const list = results.get(name) ?? [];
  list.push(value);
  results.set(name, list);
};
for (let round = 0; round < rounds; round += 1) {
  for (const [name, body] of [...primitives, ...opBodies]) {
    note(name, nsPerOp(body, samples, sampleMs));
  }
  for (const [name, body] of [
    ['cell.get()', getBody],
    ['read-only tx, 1 cell', readOneBody],
  ] as const) {
    const [without, withEnter] = withoutEnter(body);
    note(`${name} without enter()`, without);
    note(`${name}: share of enter()`, 1 - without / withEnter);
  }
  process.stderr.write(`round ${String(round + 1)}/${String(rounds)}\n`);
}
heap.close();

const figure = (name: string): number => median(results.get(name) ?? [Number.NaN]);
const best = (name: string): number => Math.min(...(results.get(name) ?? [Number.NaN]));
process.stdout.write(
  `${process.version}: ns per call, median and best of ${String(rounds)} rounds\n`,
);
for (const [name] of [...primitives, ...opBodies]) {
  process.stdout.write(
    `${name.padEnd(50)} ${figure(name).toFixed(1).padStart(8)}  ${best(name).toFixed(1).padStart(8)}\n`,
  );
}
/** Median over rounds of the per-round ratio a / b (both measured in the same round). */
const pairedRatio = (a: string, b: string): number => {
  const as = results.get(a) ?? [];
  const bs = results.get(b) ?? [];
  return median(as.map((value, round) => value / (bs[round] ?? Number.NaN)));
};
const mapGet = 'Map.get, 100 000 keys, scattered keys';
const mapGetOne = 'Map.get, 100 000 keys, one key';
const mapGetInOrder = 'Map.get, 100 000 keys, keys in order';
const lock = 'spin lock + counter++ + unlock';
const cellGet = 'cell.get() outside a tx';
const ratios: [string, string, string][] = [
  ['read-only tx, 1 cell', mapGet, '≤ 2.5'],
  ['read-only tx, 1 cell', mapGetInOrder, '≤ 2.5'],
  ['read-only tx, 1 cell', mapGetOne, '≤ 2.5'],
  ['read-only tx, 10 cells', mapGet, '≤ 10'],
  ['read-only tx, 10 cells', mapGetInOrder, '≤ 10'],
  ['read-only tx, 10 cells', mapGetOne, '≤ 10'],
  ['one-cell increment in atomically', lock, '≤ 12'],
  ['cell.set(number) outside a tx', lock, '≤ 10'],
  [cellGet, mapGet, '≤ 1.5'],
  [cellGet, mapGetInOrder, '≤ 1.5'],
  [cellGet, mapGetOne, '≤ 1.5'],
  ['heap.open of an open object', cellGet, '-'],
];
process.stdout.write('\nratios: median of per-round ratios, ratio of bests, target\n');
for (const [a, b, target] of ratios) {
  process.stdout.write(
    `${`${a} / ${b}`.padEnd(70)} ${pairedRatio(a, b).toFixed(2).padStart(6)} ` +
      `${(best(a) / best(b)).toFixed(2).padStart(6)}  ${target}\n`,
  );
}
for (const name of ['cell.get()', 'read-only tx, 1 cell']) {
  process.stdout.write(
    `share of enter() in ${name}: median ${figure(`${name}: share of enter()`).toFixed(2)} ` +
      `(rounds: ${(results.get(`${name}: share of enter()`) ?? []).map((share) => share.toFixed(2)).join(' ')})\n`,
  );
}
if (jsonFile !== undefined) {
  writeFileSync(
    jsonFile,
    JSON.stringify(
      { node: process.version, rounds, results: Object.fromEntries(results) },
      null,
      2,
    ) + '\n',
  );
}
