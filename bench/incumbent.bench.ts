// Against the incumbent (issue 13): the npm package `multithreading` (0.3.52, an exact
// devDependency), whose shared mutable object is a `SharedJsonBuffer` (a JSON tree in a
// SharedArrayBuffer, read and written through Proxies) behind its `Mutex`, used as its README
// shows: `new Mutex(new SharedJsonBuffer({...}))`, passed to workers with `move` and `spawn`.
// Ours: an object made by heap.object with the same fields.
// - field read: theirs `blockingLock()` (their synchronous lock), read `guard.value.c`,
//   `guard.dispose()`; ours `object.c` outside a transaction (a transaction of its own);
// - field increment: theirs the same lock around `guard.value.a += 1`; ours `object.a += 1` in
//   `atomically`;
// Main thread, CPU time, rounds interleaving the four, each round's ratio, medians over rounds.
// - 2 workers each incrementing a field of its own against 1 worker, on each side, and the two
//   sides' 2-worker figures against each other. Theirs runs in their own worker pool (`spawn`:
//   their Mutex reaches a worker only through `move`), our side in workers we start; the same
//   start/stop protocol (one shared flag word each), warm-up and window on both. Besides the ratio
//   of throughputs, that of operations per CPU second of the process ('per CPU-s', near 1 when a
//   second worker makes no operation dearer, whatever share of the cores the machine gave us).
//
// - channel throughput: small numbers from one worker to another, ours a `heap.channel` of
//   capacity 1024 (channels.bench.ts), theirs `channel(1024)` with `blockingSend` in one spawned
//   worker and `blockingRecv` in another, timed by the receiver from its first item to its last.
//
// The package reads `navigator` and `Promise.withResolvers` when imported (Node ≥ 22), so this
// suite runs on a newer Node line; on Node 20 it says so and measures nothing. From the root:
//   (cd ci/node-lines && npm ci)
//   ci/node-lines/node_modules/node24/bin/node --require ./scripts/register-tsx.cjs \
//     bench/run.ts --only=incumbent
import { atomically, Heap, type SharedFields, type SharedRef } from '../src/index.js';
import { nsPerOp } from './lib/cpu-time.js';
import { blackhole, median, workerRun, type WorkerRun } from './lib/measure.js';
import type { Mutex, SharedJsonBuffer } from 'multithreading';
import { channelThroughput } from './channels.bench.js';
import type { BenchResult } from './run.js';
import type { FieldsParams } from './workers/fields.worker.js';

type Incumbent = typeof import('multithreading');
interface Counts {
  f0: number;
  f1: number;
}
type TheirState = Mutex<SharedJsonBuffer<Counts>>;

interface Fields {
  a: number;
  b: number;
  c: number;
  d: number;
}

const warmupMs = 300;
const fieldsScript = new URL('./workers/fields.worker.ts', import.meta.url);

function singleThread(lib: Incumbent, samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const ours: SharedFields<Fields> = heap.object<Fields>({ a: 1, b: 2, c: 3, d: 4 });
  const theirs = new lib.Mutex(new lib.SharedJsonBuffer<Fields>({ a: 1, b: 2, c: 3, d: 4 }));
  const ourRead = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += ours.c;
    blackhole.value = sum;
  };
  const theirRead = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) {
      const guard = theirs.blockingLock();
      sum += guard.value.c;
      guard.dispose();
    }
    blackhole.value = sum;
  };
  const incrementOurs = (): void => {
    ours.a += 1;
  };
  const ourIncrement = (n: number): void => {
    for (let i = 0; i < n; i += 1) atomically(incrementOurs);
  };
  const theirIncrement = (n: number): void => {
    for (let i = 0; i < n; i += 1) {
      const guard = theirs.blockingLock();
      guard.value.a += 1;
      guard.dispose();
    }
  };
  const sampleMs = 50;
  const figures = {
    ourRead: [] as number[],
    theirRead: [] as number[],
    ourIncrement: [] as number[],
    theirIncrement: [] as number[],
    readRatio: [] as number[],
    incrementRatio: [] as number[],
  };
  for (let round = 0; round < samples; round += 1) {
    const oRead = nsPerOp(ourRead, 3, sampleMs);
    const tRead = nsPerOp(theirRead, 3, sampleMs);
    const oIncrement = nsPerOp(ourIncrement, 3, sampleMs);
    const tIncrement = nsPerOp(theirIncrement, 3, sampleMs);
    figures.ourRead.push(oRead);
    figures.theirRead.push(tRead);
    figures.ourIncrement.push(oIncrement);
    figures.theirIncrement.push(tIncrement);
    figures.readRatio.push(oRead / tRead);
    figures.incrementRatio.push(oIncrement / tIncrement);
  }
  heap.close();
  const baselineName = 'multithreading, blockingLock';
  return [
    {
      name: 'field read: heap.object vs SharedJsonBuffer in Mutex (ns)',
      value: median(figures.ourRead),
      baseline: median(figures.theirRead),
      baselineName,
      ratio: median(figures.readRatio),
      target: '≤ 0.05× (≥ 20× faster)',
    },
    {
      name: 'field increment: heap.object in atomically vs the same (ns)',
      value: median(figures.ourIncrement),
      baseline: median(figures.theirIncrement),
      baselineName,
      ratio: median(figures.incrementRatio),
      target: '≤ 0.2× (≥ 5× faster)',
    },
  ];
}

/**
 * One timed run of `count` tasks in their pool, each incrementing field `f<i>` under the Mutex:
 * the protocol of workerRun (warm up, say ready, wait for the start flag, count until the stop
 * flag) over one Int32Array [start, stop, ready]. It travels in a Mutex of its own, the package's
 * way to move shared memory (a bare SharedArrayBuffer draws its warning); the tasks take its view
 * once and touch it with Atomics only.
 */
async function theirRun(
  lib: Incumbent,
  state: TheirState,
  count: number,
  durationMs: number,
): Promise<WorkerRun> {
  const flags = new Int32Array(new SharedArrayBuffer(12));
  const control = new lib.Mutex(flags);
  const fields: readonly (keyof Counts)[] = ['f0', 'f1'];
  const handles = fields.slice(0, count).map((field) =>
    lib.spawn(
      lib.move(state, control, field, warmupMs),
      (
        shared: TheirState,
        controlMutex: typeof control,
        field: keyof Counts,
        warm: number,
      ): number => {
        const controlGuard = controlMutex.blockingLock();
        const words = controlGuard.value;
        controlGuard.dispose();
        let ops = 0;
        const warmEnd = performance.now() + warm;
        let warming = true;
        for (;;) {
          if (warming && performance.now() >= warmEnd) {
            warming = false;
            ops = 0;
            Atomics.add(words, 2, 1);
            Atomics.notify(words, 2);
            Atomics.wait(words, 0, 0);
          } else if (!warming && Atomics.load(words, 1) !== 0) {
            return ops;
          }
          for (let i = 0; i < 64; i += 1) {
            const guard = shared.blockingLock();
            guard.value[field] += 1;
            guard.dispose();
          }
          ops += 64;
        }
      },
    ),
  );
  while (Atomics.load(flags, 2) < count) await new Promise((resolve) => setTimeout(resolve, 1));
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
  await new Promise((resolve) => setTimeout(resolve, durationMs));
  Atomics.store(flags, 1, 1);
  let ops = 0;
  for (const handle of handles) {
    const result = await handle.join();
    if (!result.ok) throw result.error;
    ops += result.value;
  }
  const elapsedS = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return {
    opsPerS: ops / elapsedS,
    opsPerCpuS: ops / ((cpu.user + cpu.system) / 1e6),
    reports: [],
  };
}

async function workers(
  lib: Incumbent,
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const object = heap.object({ f0: 0, f1: 0 });
  const ref: SharedRef = object.ref;
  const params: FieldsParams = { heap: heap.handle, object: ref, warmupMs };
  const state: TheirState = new lib.Mutex(new lib.SharedJsonBuffer<Counts>({ f0: 0, f1: 0 }));
  const figures = {
    ours2: [] as number[],
    ours1: [] as number[],
    theirs2: [] as number[],
    theirs1: [] as number[],
    ours: [] as number[],
    theirs: [] as number[],
    oursCpu: [] as number[],
    theirsCpu: [] as number[],
    versus: [] as number[],
  };
  for (let sample = 0; sample < samples; sample += 1) {
    const ours2 = await workerRun(fieldsScript, 2, params, durationMs);
    const ours1 = await workerRun(fieldsScript, 1, params, durationMs);
    const theirs2 = await theirRun(lib, state, 2, durationMs);
    const theirs1 = await theirRun(lib, state, 1, durationMs);
    figures.ours2.push(ours2.opsPerS);
    figures.ours1.push(ours1.opsPerS);
    figures.theirs2.push(theirs2.opsPerS);
    figures.theirs1.push(theirs1.opsPerS);
    figures.ours.push(ours2.opsPerS / ours1.opsPerS);
    figures.theirs.push(theirs2.opsPerS / theirs1.opsPerS);
    figures.oursCpu.push(ours2.opsPerCpuS / ours1.opsPerCpuS);
    figures.theirsCpu.push(theirs2.opsPerCpuS / theirs1.opsPerCpuS);
    figures.versus.push(ours2.opsPerS / theirs2.opsPerS);
  }
  const perCpu = (ratios: number[]): string => `per CPU-s ${median(ratios).toFixed(2)}×`;
  lib.shutdown();
  object[Symbol.dispose]();
  heap.close();
  return [
    {
      name: `field increments, 2 workers vs 1, own fields: ours (ops/s; ${perCpu(figures.oursCpu)})`,
      value: median(figures.ours2),
      baseline: median(figures.ours1),
      baselineName: '1 worker',
      ratio: median(figures.ours),
      target: '≥ 1.7×',
    },
    {
      name: `the same on multithreading, SharedJsonBuffer in Mutex (ops/s; ${perCpu(figures.theirsCpu)})`,
      value: median(figures.theirs2),
      baseline: median(figures.theirs1),
      baselineName: '1 worker',
      ratio: median(figures.theirs),
      target: 'report (serialises)',
    },
    {
      name: 'field increments, 2 workers: ours vs multithreading (ops/s)',
      value: median(figures.ours2),
      baseline: median(figures.theirs2),
      baselineName: 'multithreading, 2 workers',
      ratio: median(figures.versus),
      target: 'report',
    },
  ];
}

export async function incumbentBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) {
    process.stderr.write(
      `[incumbent: skipped on Node ${process.version}: multithreading needs Node ≥ 22; ` +
        'see the header of bench/incumbent.bench.ts]\n',
    );
    return [];
  }
  const lib = await import('multithreading');
  return [
    ...singleThread(lib, samples),
    ...(await workers(lib, samples, durationMs)),
    await channels(lib, samples),
  ];
}

const channelItems = 200_000;

/** Their channel: items per second from one spawned worker to another. */
async function theirChannelThroughput(lib: Incumbent): Promise<number> {
  const [sender, receiver] = lib.channel<number>(1024);
  const receiving = lib.spawn(
    lib.move(receiver, channelItems),
    (rx: typeof receiver, count: number): number => {
      let first = 0;
      for (let index = 0; index < count; index += 1) {
        const result = rx.blockingRecv();
        if (!result.ok) throw result.error;
        if (index === 0) first = performance.now();
      }
      return (count - 1) / ((performance.now() - first) / 1000);
    },
  );
  const sending = lib.spawn(
    lib.move(sender, channelItems),
    (tx: typeof sender, count: number): void => {
      for (let index = 0; index < count; index += 1) {
        const result = tx.blockingSend(index);
        if (!result.ok) throw result.error;
      }
    },
  );
  const sent = await sending.join();
  if (!sent.ok) throw sent.error;
  const received = await receiving.join();
  if (!received.ok) throw received.error;
  return received.value;
}

async function channels(lib: Incumbent, samples: number): Promise<BenchResult> {
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  await theirChannelThroughput(lib);
  for (let sample = 0; sample < samples; sample += 1) {
    const a = await channelThroughput(1);
    const b = await theirChannelThroughput(lib);
    ours.push(a);
    theirs.push(b);
    ratios.push(a / b);
  }
  return {
    name: 'channel: small numbers worker → worker, capacity 1024 (items/s)',
    value: median(ours),
    baseline: median(theirs),
    baselineName: 'multithreading channel, blockingSend/blockingRecv',
    ratio: median(ratios),
    target: '≥ 5×',
  };
}
