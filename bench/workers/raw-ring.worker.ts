// Worker of the channel suite's bound rows (channels.bench.ts): what shared memory alone allows,
// without codec or STM.
// - 'produce' / 'consume': `count` float64 values through a bounded MPMC ring in a
//   SharedArrayBuffer (Vyukov's: a sequence number per slot, CAS on the two positions); the
//   consumer checks their sum and reports the microseconds from its first item to its last;
// - 'ping' / 'pong': one word bounced between two spinning workers, `count` round trips; the
//   pinger reports microseconds per one-way hand-off.
//
// | i32 index        | meaning                                                        |
// |------------------|----------------------------------------------------------------|
// | 0                | enqueue position (producers CAS it)                            |
// | 16               | dequeue position (consumers CAS it), its own cache line        |
// | 32, 48           | ping and pong words                                            |
// | 64 + 4k          | slot k's sequence: k + n·capacity = free for position k + n·cap |
// | (64 + 4k + 2)/2  | slot k's value (f64 index 32 + 2k + 1)                          |
import { parentPort, workerData } from 'node:worker_threads';
import { ringCapacity, type RawRingParams } from '../lib/raw-ring.js';

const { role, buffer, count } = workerData as RawRingParams;
const i32 = new Int32Array(buffer);
const f64 = new Float64Array(buffer);
const mask = ringCapacity - 1;

function produce(): void {
  for (let item = 0; item < count; item += 1) {
    for (;;) {
      const position = Atomics.load(i32, 0);
      const slot = position & mask;
      if (Atomics.load(i32, 64 + 4 * slot) !== position) continue;
      if (Atomics.compareExchange(i32, 0, position, position + 1) !== position) continue;
      f64[33 + 2 * slot] = item;
      // ORDERING: the sequence store publishes the value written before it.
      Atomics.store(i32, 64 + 4 * slot, position + 1);
      break;
    }
  }
}

function consume(): number {
  let sum = 0;
  let started = 0;
  for (let item = 0; item < count; item += 1) {
    for (;;) {
      const position = Atomics.load(i32, 16);
      const slot = position & mask;
      if (Atomics.load(i32, 64 + 4 * slot) !== position + 1) continue;
      if (Atomics.compareExchange(i32, 16, position, position + 1) !== position) continue;
      sum += f64[33 + 2 * slot] ?? 0;
      Atomics.store(i32, 64 + 4 * slot, position + ringCapacity);
      break;
    }
    if (item === 0) started = performance.now();
  }
  if (sum !== ((count - 1) * count) / 2) throw new Error(`raw ring: sum ${String(sum)} is wrong`);
  return ((performance.now() - started) * 1000) / (count - 1);
}

function bounce(pinger: boolean): number {
  const started = performance.now();
  for (let round = 1; round <= count; round += 1) {
    if (pinger) {
      Atomics.store(i32, 32, round);
      while (Atomics.load(i32, 48) !== round);
    } else {
      while (Atomics.load(i32, 32) !== round);
      Atomics.store(i32, 48, round);
    }
  }
  return ((performance.now() - started) * 1000) / count / 2;
}

let micros = 0;
if (role === 'produce') produce();
else if (role === 'consume') micros = consume();
else micros = bounce(role === 'ping');
parentPort?.postMessage({ micros });
