// Counts the atomic operations of each basic operation of the library, single-threaded on one
// heap, in steady state: each operation first runs `warmRuns` times uncounted (past the 64-
// transaction streaks of src/stm/ and every one-time allocation), then `countedRuns` times with
// the global `Atomics` methods, `performance.now` and `BigInt` wrapped by counters
// (bench/lib/call-counter.ts); the table gives calls per operation. Then one more run of each is
// traced: every call in order, with the word it touched and the function that made it. Last,
// bytes allocated per operation, measured without the counters (a BigInt is 24 B here: most of
// these bytes are the BigInts that 64-bit loads and CASes return).
//
//   node --require ./scripts/register-tsx.cjs bench/atomics-count.ts [--no-trace]
//
// Input of docs/decisions/0009-atomics-budget.md. Counts are exact and do not depend on the
// machine; the byte figures are medians of small batches (see `bytesPerOp`).
import { getHeapSpaceStatistics } from 'node:v8';
import { handleUnit } from '../src/alloc/index.js';
import { Heap } from '../src/index.js';
import {
  geometryFor,
  headerBytes,
  headerWord,
  registrySlotBytes,
  txRecordBytes,
} from '../src/memory/index.js';
import { slotField } from '../src/reclaim/registry.js';
import { recordField, recordSlot } from '../src/stm/tx-record.js';
import { basicOperations, type BasicOperation } from './lib/basic-operations.js';
import { CallCounter, type TraceEntry } from './lib/call-counter.js';
import { median } from './lib/measure.js';

const warmRuns = 20_000;
const countedRuns = 1_000;
const maxBytes = 64 << 20;
const trace = !process.argv.includes('--no-trace');

const heap = Heap.create({ maxBytes });
const geometry = geometryFor(maxBytes);
const i32 = new Int32Array(heap.handle.buffer);

const operations = basicOperations(heap);
const getAlone = operations.find((operation) => operation.name === 'cell.get() outside a tx');
if (getAlone === undefined) throw new Error('no cell.get() among the operations');

// ---------------------------------------------------------------- naming the words touched

const recordFieldByWord = new Map<number, string>([
  [recordField.status, 'status'],
  [recordField.logUnit, 'logUnit'],
  [recordField.logCount, 'logCount'],
  [recordSlot.clock * 2, 'clock'],
  [recordSlot.priority * 2, 'priority'],
  [recordField.pinRecordUnit, 'pinRecordUnit'],
  [recordField.retryWake, 'retryWake'],
]);
const headerFieldByWord = new Map<number, string>(
  Object.entries(headerWord).map(([name, word]) => [word, name]),
);
const slotFieldByWord = new Map<number, string>(
  Object.entries(slotField).map(([name, word]) => [word, name]),
);
const cellFieldByByte = new Map<number, string>([
  [0, 'header'],
  [8, 'refcount'],
  [12, 'owner'],
  [16, 'value'],
  [24, 'version'],
  [32, 'watchers'],
]);

/** A name for the word at element `index` of a heap view of `kind` ('record[0].status', …). */
function wordName(entry: TraceEntry, cells: BasicOperation['cells']): string {
  if (entry.index < 0) return '';
  const bytesPer = entry.kind.startsWith('Int32') ? 4 : 8;
  const byte = entry.index * bytesPer;
  if (byte < headerBytes) return `header.${headerFieldByWord.get(byte / 4) ?? String(byte)}`;
  if (byte < geometry.txRecordsOffset) {
    const slot = Math.floor((byte - headerBytes) / registrySlotBytes);
    const field = ((byte - headerBytes) % registrySlotBytes) / 4;
    return `registry[${String(slot)}].${slotFieldByWord.get(field) ?? String(field)}`;
  }
  if (byte < geometry.pageMapOffset) {
    const slot = Math.floor((byte - geometry.txRecordsOffset) / txRecordBytes);
    const offset = (byte - geometry.txRecordsOffset) % txRecordBytes;
    const field = offset >= recordSlot.statsFirst * 8 ? 'stats' : recordFieldByWord.get(offset / 4);
    return `record[${String(slot)}].${field ?? String(offset)}`;
  }
  if (byte < geometry.areaOffset) return 'allocator metadata';
  for (const [name, cell] of cells) {
    const start = handleUnit(cell.handle) * 8;
    const field = cellFieldByByte.get(byte - start);
    if (field !== undefined) return `${name}.${field}`;
  }
  const logUnit = i32[geometry.txRecordsOffset / 4 + recordField.logUnit] ?? 0;
  if (logUnit !== 0 && byte >= logUnit * 8 + 8 && byte < logUnit * 8 + 8 + 32 * 64) {
    const offset = byte - logUnit * 8 - 8;
    const fields = ['unit', 'unit', 'oldVersion', 'oldValue', 'newValue'];
    return `log[${String(Math.floor(offset / 32))}].${fields[(offset % 32) / 8] ?? '?'}`;
  }
  const pinUnit = i32[geometry.txRecordsOffset / 4 + recordField.pinRecordUnit] ?? 0;
  if (pinUnit !== 0 && byte >= pinUnit * 8 + 8 && byte < pinUnit * 8 + 8 + 8 * 4096) {
    const offset = byte - pinUnit * 8 - 8;
    return `pinRecord[${String(Math.floor(offset / 8))}].${offset % 8 === 0 ? 'unit' : 'pins'}`;
  }
  return `heap byte ${String(byte)}`;
}

// ---------------------------------------------------------------- counting

const counterOf = new CallCounter();
const columns = [
  ['i32 ld', 'Atomics.load Int32Array'],
  ['i32 st', 'Atomics.store Int32Array'],
  ['i32 cas', 'Atomics.compareExchange Int32Array'],
  ['i32 rmw', ['add', 'sub', 'and', 'or', 'xor', 'exchange'].map((m) => `Atomics.${m} Int32Array`)],
  ['b64 ld', 'Atomics.load BigInt64Array'],
  ['b64 st', 'Atomics.store BigInt64Array'],
  ['b64 cas', 'Atomics.compareExchange BigInt64Array'],
  [
    'b64 rmw',
    ['add', 'sub', 'and', 'or', 'xor', 'exchange'].map((m) => `Atomics.${m} BigInt64Array`),
  ],
  ['notify', ['Atomics.notify Int32Array', 'Atomics.wait Int32Array']],
  ['now()', 'performance.now'],
  ['BigInt()', 'BigInt'],
] as const;

const sumOf = (keys: string | readonly string[]): number =>
  (typeof keys === 'string' ? [keys] : keys).reduce((sum, key) => sum + counterOf.count(key), 0);

/**
 * Bytes allocated per call of `run`, without counters: the growth of V8's new space over a batch
 * of 100 calls, median over 41 batches (a batch in which a scavenge ran shows less; the median
 * ignores those), minus the same for an empty batch (the statistics call allocates too).
 */
function bytesPerOp(run: () => void): number {
  const newSpace = (): number =>
    getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_used_size ??
    0;
  const batch = (body: () => void): number => {
    const results: number[] = [];
    for (let sample = 0; sample < 41; sample += 1) {
      const before = newSpace();
      for (let call = 0; call < 100; call += 1) body();
      results.push(newSpace() - before);
    }
    return median(results);
  };
  const empty = batch(() => undefined);
  return Math.max(0, (batch(run) - empty) / 100);
}

const format = (value: number): string =>
  value === 0 ? '·' : Number.isInteger(value) ? String(value) : value.toFixed(2);

/** One numbered line of a trace: the call, the word it touched, the function that made it. */
const traceLine = (entry: TraceEntry, at: number, cells: BasicOperation['cells']): string => {
  const kind = entry.kind.replace('BigInt64Array', 'b64').replace('Int32Array', 'i32');
  const call = `${entry.call.replace('Atomics.', '')} ${kind}`.trim();
  const word = wordName(entry, cells);
  return `${String(at + 1).padStart(3)}. ${call.padEnd(20)} ${word.padEnd(22)} ${entry.site}`;
};

const rows: string[][] = [];
const traces: { name: string; lines: string[] }[] = [];
for (const operation of operations) {
  for (let run = 0; run < warmRuns; run += 1) operation.run();
  counterOf.reset();
  counterOf.install();
  try {
    for (let run = 0; run < countedRuns; run += 1) operation.run();
  } finally {
    counterOf.uninstall();
  }
  const perOp = (keys: string | readonly string[]): number => sumOf(keys) / countedRuns;
  const atomicsPerOp = counterOf.atomicsTotal() / countedRuns;
  // Each 64-bit load, CAS or read-modify-write returns a new BigInt (24 B here).
  const bigintsReturned =
    perOp('Atomics.load BigInt64Array') +
    perOp('Atomics.compareExchange BigInt64Array') +
    perOp(columns[7][1]);
  const bytes = bytesPerOp(operation.run);
  rows.push([
    operation.name,
    format(atomicsPerOp),
    ...columns.map(([, keys]) => format(perOp(keys))),
    format(bigintsReturned),
    bytes.toFixed(0),
  ]);
  if (!trace) continue;
  counterOf.reset();
  counterOf.install();
  counterOf.tracing = true;
  try {
    operation.run();
  } finally {
    counterOf.tracing = false;
    counterOf.uninstall();
  }
  traces.push({
    name: operation.name,
    lines: counterOf.trace.map((entry, at) => traceLine(entry, at, operation.cells)),
  });
}

// The first operation after the event loop: the worker went offline in a microtask and comes back
// online (a store and a queued microtask), then goes offline again (a store).
await new Promise((resolve) => setImmediate(resolve));
counterOf.reset();
counterOf.install();
counterOf.tracing = trace;
try {
  getAlone.run();
  await new Promise((resolve) => setImmediate(resolve));
} finally {
  counterOf.tracing = false;
  counterOf.uninstall();
}
rows.push([
  'cell.get() first in a macrotask (+ offline)',
  format(counterOf.atomicsTotal()),
  ...columns.map(([, keys]) => format(sumOf(keys))),
  format(counterOf.count('Atomics.load BigInt64Array')),
  '',
]);
if (trace) {
  traces.push({
    name: 'cell.get() first in a macrotask, then back to the event loop',
    lines: counterOf.trace.map((entry, at) => traceLine(entry, at, getAlone.cells)),
  });
}

const header = [
  'operation (steady state, per call)',
  'atomics',
  ...columns.map(([name]) => name),
  'BigInts ret.',
  'bytes',
];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
);
const line = (cells: readonly string[]): string =>
  cells
    .map((cell, column) =>
      column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
    )
    .join('  ');
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
process.stdout.write(
  `\n${process.version}; ${String(countedRuns)} counted calls after ${String(warmRuns)} warm ones; ` +
    "'BigInts ret.' = 64-bit loads + CASes + RMWs (each returns a new BigInt); 'bytes' = allocated " +
    'per call without counters (median of batches).\n',
);
for (const { name, lines } of traces) {
  process.stdout.write(`\n${name}:\n${lines.length === 0 ? '  (none)' : lines.join('\n')}\n`);
}
heap.close();
