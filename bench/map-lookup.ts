// SharedMap lookups against Map, in one run: get (hit), get (miss), has, set of an existing key,
// each on a 100 000-entry map of string keys visited at scattered keys. CPU time; each figure is
// the median of the rounds, each round a median of samples, every item interleaved within a
// round; ratios are medians of per-round ratios (paired). Usage:
//   node --require ./scripts/register-tsx.cjs bench/map-lookup.ts [rounds]
import { Heap, type SharedMap } from '../src/index.js';
import { nsPerOp } from './lib/cpu-time.js';
import { blackhole, median } from './lib/measure.js';

const entries = 100_000;
const stride = 7919;
const rounds = Number(process.argv[2] ?? 9);
const samples = 5;
const sampleMs = 40;

const heap = Heap.create({ maxBytes: 256 << 20 });
const keys = Array.from({ length: entries }, (_, index) => `key number ${String(index)}`);
const missing = Array.from({ length: entries }, (_, index) => `not a key ${String(index)}`);
const shared: SharedMap<string, number> = heap.map(keys.map((key, index) => [key, index]));
const native = new Map(keys.map((key, index) => [key, index]));

const scattered =
  (list: readonly string[], op: (key: string, i: number) => unknown) => (n: number) => {
    let sum = 0;
    let index = 0;
    for (let i = 0; i < n; i += 1) {
      index += stride;
      if (index >= entries) index -= entries;
      if (op(list[index] ?? '', i) !== undefined) sum += 1;
    }
    blackhole.value = sum;
  };

const items: [string, (n: number) => void, (n: number) => void][] = [
  ['get (hit)', scattered(keys, (k) => shared.get(k)), scattered(keys, (k) => native.get(k))],
  [
    'get (miss)',
    scattered(missing, (k) => shared.get(k)),
    scattered(missing, (k) => native.get(k)),
  ],
  ['has (hit)', scattered(keys, (k) => shared.has(k)), scattered(keys, (k) => native.has(k))],
  [
    'set existing',
    scattered(keys, (k, i) => shared.set(k, i)),
    scattered(keys, (k, i) => native.set(k, i)),
  ],
];

const ours: number[][] = items.map(() => []);
const theirs: number[][] = items.map(() => []);
const ratios: number[][] = items.map(() => []);
for (let round = 0; round < rounds; round += 1) {
  items.forEach(([, a, b], index) => {
    const x = nsPerOp(a, samples, sampleMs);
    const y = nsPerOp(b, samples, sampleMs);
    ours[index]?.push(x);
    theirs[index]?.push(y);
    ratios[index]?.push(x / y);
  });
}
heap.close();
for (const [index, [name]] of items.entries()) {
  const a = median(ours[index] ?? []);
  const b = median(theirs[index] ?? []);
  const r = median(ratios[index] ?? []);
  console.log(
    `${name.padEnd(14)} SharedMap ${a.toFixed(0).padStart(6)} ns   Map ${b.toFixed(0).padStart(5)} ns   ratio ${r.toFixed(2)}×`,
  );
}
