// Channel benchmarks (issue: workers and channels). Two workers, medians of `samples` runs:
// - throughput of small numbers from one worker to another through a SharedChannel (capacity
//   1024), against postMessage on a MessagePort between the same kind of workers (target ≥ 10×);
//   each operation its own transaction, and 64 per transaction (`atomically` around a batch);
// - hand-off latency to a spinning receiver: ping-pong with the main thread, half the round trip
//   (target ≤ 2 µs); both sides in a blocking `receive`, which spins `channelSpinMs` on the
//   channel's event word before it sleeps, so back-to-back pings never find it asleep;
// - hand-off latency to a sleeping receiver: round trip to an echo worker asleep in a blocking
//   `receive` (pinged 2 ms apart), minus the spinning one-way figure (the reply's way back);
// - the bounds under any channel: a raw MPMC ring of numbers in a SharedArrayBuffer (no codec, no
//   STM) against postMessage, and a word bounced between two spinning workers.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { Heap } from '../src/index.js';
import { median } from './lib/measure.js';
import type { BenchResult } from './run.js';
import type { ChannelBenchParams, ChannelBenchReport } from './workers/channel.worker.js';
import { formatRing, ringBytes, type RawRingParams } from './lib/raw-ring.js';

const script = new URL('./workers/channel.worker.ts', import.meta.url);
const throughputItems = 200_000;
const latencyRounds = 20_000;
/** Items per transaction in the batched throughput row (sends and receives in `atomically`). */
const batchItems = 64;
const sleepingRounds = 200;
const sleepingGapMs = 2;

function start(
  params: ChannelBenchParams,
  transfer: readonly MessagePort[] = [],
): Promise<ChannelBenchReport> {
  const worker = new Worker(script, { workerData: params, transferList: [...transfer] });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** Small numbers per second from one worker to another through a SharedChannel (capacity 1024). */
export async function channelThroughput(batch: number): Promise<number> {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const channel = heap.channel<number>({ capacity: 1024 });
  const common = { heap: heap.handle, channel: channel.ref, count: throughputItems, batch };
  const receiving = start({ role: 'receive', ...common });
  await start({ role: 'send', ...common });
  const { micros } = await receiving;
  heap.close();
  return 1e6 / micros;
}

async function postMessageThroughput(): Promise<number> {
  const { port1, port2 } = new MessageChannel();
  const receiving = start({ role: 'post-receive', port: port2, count: throughputItems }, [port2]);
  await start({ role: 'post-send', port: port1, count: throughputItems }, [port1]);
  const { micros } = await receiving;
  return 1e6 / micros;
}

const rawScript = new URL('./workers/raw-ring.worker.ts', import.meta.url);
const rawItems = 2_000_000;

function startRaw(params: RawRingParams): Promise<ChannelBenchReport> {
  const worker = new Worker(rawScript, { workerData: params });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** The bound: numbers per second through a raw MPMC ring, one producer and one consumer. */
async function rawRingThroughput(): Promise<number> {
  const buffer = new SharedArrayBuffer(ringBytes);
  formatRing(buffer);
  const [, consumed] = await Promise.all([
    startRaw({ role: 'produce', buffer, count: rawItems }),
    startRaw({ role: 'consume', buffer, count: rawItems }),
  ]);
  return 1e6 / consumed.micros;
}

/** The bound: one-way hand-off of a word between two spinning workers (µs). */
async function rawHandOff(): Promise<number> {
  const buffer = new SharedArrayBuffer(ringBytes);
  const [pinged] = await Promise.all([
    startRaw({ role: 'ping', buffer, count: latencyRounds * 10 }),
    startRaw({ role: 'pong', buffer, count: latencyRounds * 10 }),
  ]);
  return pinged.micros;
}

async function spinningLatency(): Promise<number> {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const ping = heap.channel<number>();
  const pong = heap.channel<number>();
  const echo = start({ role: 'echo-spin', heap: heap.handle, ping: ping.ref, pong: pong.ref });
  // Warm up (and wait for the worker to start): the first round trips.
  for (let round = 0; round < 1000; round += 1) {
    ping.send(round);
    pong.receive();
  }
  const trips: number[] = [];
  for (let round = 0; round < latencyRounds; round += 1) {
    const begin = performance.now();
    ping.send(round);
    pong.receive();
    trips.push(performance.now() - begin);
  }
  ping.send(-1);
  await echo;
  heap.close();
  return (median(trips) * 1000) / 2;
}

/** Round trip to an echo asleep in `receive` (pinged 2 ms apart), minus a spinning one-way. */
async function sleepingLatency(spinningMicros: number): Promise<number> {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const ping = heap.channel<number>();
  const pong = heap.channel<number>();
  const echo = start({ role: 'echo-sleeping', heap: heap.handle, ping: ping.ref, pong: pong.ref });
  ping.send(0);
  pong.receive();
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const trips: number[] = [];
  for (let round = 0; round < sleepingRounds; round += 1) {
    Atomics.wait(nap, 0, 0, sleepingGapMs);
    const begin = performance.now();
    ping.send(round);
    pong.receive();
    trips.push(performance.now() - begin);
  }
  ping.send(-1);
  await echo;
  heap.close();
  return median(trips) * 1000 - spinningMicros;
}

export async function channelBenchmarks(samples: number): Promise<BenchResult[]> {
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  const batched: number[] = [];
  const batchedRatios: number[] = [];
  const raw: number[] = [];
  const rawRatios: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const a = await channelThroughput(1);
    const b = await postMessageThroughput();
    const c = await channelThroughput(batchItems);
    ours.push(a);
    theirs.push(b);
    ratios.push(a / b);
    batched.push(c);
    batchedRatios.push(c / b);
    const d = await rawRingThroughput();
    raw.push(d);
    rawRatios.push(d / b);
  }
  const spinning: number[] = [];
  const sleeping: number[] = [];
  const rawSpinning: number[] = [];
  for (let sample = 0; sample < samples; sample += 1) {
    const spin = await spinningLatency();
    spinning.push(spin);
    rawSpinning.push(await rawHandOff());
    sleeping.push(await sleepingLatency(spin));
  }
  const spin = median(spinning);
  const sleep = median(sleeping);
  return [
    {
      name: 'channel: small numbers, 2 workers (items/s)',
      value: median(ours),
      baseline: median(theirs),
      baselineName: 'postMessage',
      ratio: median(ratios),
      target: '≥ 10',
    },
    {
      name: `channel: the same, ${String(batchItems)} per transaction (items/s)`,
      value: median(batched),
      baseline: median(theirs),
      baselineName: 'postMessage',
      ratio: median(batchedRatios),
      target: '≥ 10',
    },
    {
      name: 'bound: raw MPMC ring of numbers, 2 workers, no codec or STM (items/s)',
      value: median(raw),
      baseline: median(theirs),
      baselineName: 'postMessage',
      ratio: median(rawRatios),
      target: 'bound',
    },
    {
      name: 'channel: hand-off to a spinning receiver (µs)',
      value: spin,
      baseline: 2,
      baselineName: 'the 2 µs target',
      ratio: spin / 2,
      target: '≤ 1',
    },
    {
      name: 'bound: one word bounced between 2 spinning workers, one way (µs)',
      value: median(rawSpinning),
      baseline: spin,
      baselineName: 'our channel',
      ratio: median(rawSpinning) / spin,
      target: 'bound',
    },
    {
      name: 'channel: hand-off to a sleeping receiver (µs)',
      value: sleep,
      baseline: spin,
      baselineName: 'a spinning receiver',
      ratio: sleep / spin,
      target: 'report',
    },
  ];
}
