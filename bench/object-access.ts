// Decision 0012: how a shared object with fields serves property syntax. Three candidates over
// the same object block and the same field read/write functions (collections/shared-fields.ts):
// - own: accessors defined on each wrapper (what heap.object makes);
// - proto: the same accessors on a per-shape prototype, the wrapper holding only its state;
// - proxy: a Proxy whose get/set traps find the field by name.
// Figures: median CPU ns per operation (bench/lib/cpu-time.ts), single thread, with a plain
// object and a cell as baselines. Each candidate runs in a process of its own (in turn, for a
// few rounds), so that one's inline caches and deoptimisations cannot colour another's figures.
// Run: node --require ./scripts/register-tsx.cjs bench/object-access.ts [--quick]
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  fieldAccessors,
  readField,
  stateKey,
  stateOf,
  writeField,
  type FieldsState,
} from '../src/collections/shared-fields.js';
import { atomically, Heap } from '../src/index.js';
import { nsPerOp } from './lib/cpu-time.js';
import { blackhole } from './lib/measure.js';

const quick = process.argv.includes('--quick');
const candidateNames = ['baseline', 'own', 'proto', 'proxy'] as const;
const only = candidateNames.find((name) => process.argv.includes(name));
const rounds = quick ? 1 : 3;

if (only === undefined) {
  const self = fileURLToPath(import.meta.url);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of candidateNames) {
      const args = ['--require', './scripts/register-tsx.cjs', self, name];
      if (quick) args.push('--quick');
      process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }));
    }
  }
  process.stdout.write(
    `Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${String(rounds)} rounds\n`,
  );
  process.exit(0);
}
const samples = quick ? 5 : 11;
const sampleMs = quick ? 40 : 100;

interface Fields {
  a: number;
  b: number;
  c: number;
  d: number;
}

const heap = Heap.create({ maxBytes: 64 << 20 });
const own = heap.object<Fields>({ a: 1, b: 2, c: 3, d: 4 });
const state: FieldsState = stateOf(own, 'bench');
const names = ['a', 'b', 'c', 'd'];

const protoPrototype = Object.create(
  Object.prototype,
  Object.fromEntries(fieldAccessors(names)),
) as object;
function protoWrapper(): Fields {
  const wrapper = Object.create(protoPrototype) as object;
  Object.defineProperty(wrapper, stateKey, { value: state });
  Object.preventExtensions(wrapper);
  return wrapper as Fields;
}

const indexOf = new Map(names.map((name, index) => [name, index]));
const handler: ProxyHandler<object> = {
  get(target, key, receiver) {
    const field = typeof key === 'string' ? indexOf.get(key) : undefined;
    if (field === undefined) return Reflect.get(target, key, receiver) as unknown;
    return readField(stateOf(target, 'object'), field);
  },
  set(target, key, value) {
    const field = typeof key === 'string' ? indexOf.get(key) : undefined;
    if (field === undefined) throw new TypeError(`no field ${String(key)}`);
    writeField(stateOf(target, 'object'), field, value);
    return true;
  },
  deleteProperty(_target, key) {
    throw new TypeError(`cannot delete ${String(key)}`);
  },
};
function proxyWrapper(): Fields {
  const target = Object.create(null) as object;
  Object.defineProperty(target, stateKey, { value: state });
  return new Proxy(target, handler) as Fields;
}

// The same steps as makeWrapper in shared-fields.ts: the shape's accessors are made once.
const ownAccessors = fieldAccessors(names);
const ownWrapper = (): Fields => {
  const wrapper = Object.create(Object.getPrototypeOf(own) as object) as object;
  Object.defineProperty(wrapper, stateKey, { value: state });
  for (const [name, descriptor] of ownAccessors) Object.defineProperty(wrapper, name, descriptor);
  Object.preventExtensions(wrapper);
  return wrapper as Fields;
};

const candidates: Record<string, Fields> = {
  own,
  proto: protoWrapper(),
  proxy: proxyWrapper(),
};

const rows: [string, number][] = [];
const measure = (name: string, body: (n: number) => void): void => {
  if (!name.startsWith(`${only}:`)) return;
  const ns = nsPerOp(body, samples, sampleMs);
  rows.push([name, ns]);
  process.stdout.write(`${name.padEnd(44)} ${ns.toFixed(1)} ns\n`);
};

const plain = { a: 1, b: 2, c: 3, d: 4 };
const plains = [plain, { a: 5, b: 6, c: 7, d: 8 }];
measure('baseline: plain object, read a field', (n) => {
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += (plains[i & 0] ?? plain).c;
  blackhole.value = sum;
});
const cell = heap.cell(3);
measure('baseline: cell.get() outside a transaction', (n) => {
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += cell.get();
  blackhole.value = sum;
});
for (const [name, object] of Object.entries(candidates)) {
  measure(`${name}: read a field outside a transaction`, (n) => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += object.c;
    blackhole.value = sum;
  });
}
const inTransaction = 100;
for (const [name, object] of Object.entries(candidates)) {
  measure(`${name}: read+write a field, 100 per transaction`, (n) => {
    for (let i = 0; i < n; i += inTransaction) {
      atomically(() => {
        for (let j = 0; j < inTransaction; j += 1) object.c = object.c + 1;
      });
    }
  });
}
for (const [name, object] of Object.entries(candidates)) {
  measure(`${name}: write a field outside a transaction`, (n) => {
    for (let i = 0; i < n; i += 1) object.d = i;
  });
}
const makers: Record<string, () => Fields> = {
  own: ownWrapper,
  proto: protoWrapper,
  proxy: proxyWrapper,
};
for (const [name, make] of Object.entries(makers)) {
  measure(`${name}: make a wrapper (4 fields)`, (n) => {
    let last: Fields | undefined;
    for (let i = 0; i < n; i += 1) last = make();
    blackhole.value = last;
  });
}
// The whole open path: pin, wrapper table, wrapper (heap.open), then dispose; a cell as baseline.
const holder = heap.map<string, unknown>([
  ['object', own],
  ['cell', cell],
]);
for (const [name, ref] of [
  ['baseline: cell', cell.ref],
  ['own', own.ref],
] as const) {
  measure(`${name}: heap.open + dispose`, (n) => {
    for (let i = 0; i < n; i += 1) heap.open<Disposable>(ref)[Symbol.dispose]();
  });
}
blackhole.value = holder;
blackhole.value = rows;
heap.close();
