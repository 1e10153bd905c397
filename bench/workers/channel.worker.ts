// Worker of the channel benchmarks (channels.bench.ts): one role per worker.
// - 'send' / 'receive': `count` small numbers through a SharedChannel; the receiver times from
//   its first item to its last;
// - 'post-send' / 'post-receive': the same through a MessagePort (the postMessage baseline);
// - 'echo-spin': takes pings with a blocking `receive` (it spins before sleeping) and sends each
//   back, pinged back-to-back so that it never sleeps (latency, RTT / 2);
// - 'echo-sleeping': the same with a blocking `receive`, pinged at intervals long enough for it
//   to be asleep when each ping arrives.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Heap, type HeapHandle, type SharedChannel, type SharedRef } from '../../src/index.js';

export type ChannelBenchParams =
  | {
      readonly role: 'send' | 'receive';
      readonly heap: HeapHandle;
      readonly channel: SharedRef;
      readonly count: number;
      /** Items per transaction (1: each operation its own; more: a batch in `atomically`). */
      readonly batch: number;
    }
  | {
      readonly role: 'echo-spin' | 'echo-sleeping';
      readonly heap: HeapHandle;
      readonly ping: SharedRef;
      readonly pong: SharedRef;
    }
  | {
      readonly role: 'post-send' | 'post-receive';
      readonly port: MessagePort;
      readonly count: number;
    };

/** What a receiving role reports: microseconds, for `count` items or per item. */
export interface ChannelBenchReport {
  readonly micros: number;
}

const params = workerData as ChannelBenchParams;

async function main(): Promise<ChannelBenchReport> {
  switch (params.role) {
    case 'send': {
      const heap = Heap.attach(params.heap);
      const channel = heap.open<SharedChannel<number>>(params.channel);
      const { count, batch } = params;
      if (batch === 1) {
        for (let n = 0; n < count; n += 1) channel.send(n);
      } else {
        for (let n = 0; n < count; n += batch) {
          heap.atomically(() => {
            for (let k = n; k < Math.min(n + batch, count); k += 1) channel.send(k);
          });
        }
      }
      return { micros: 0 };
    }
    case 'receive': {
      const heap = Heap.attach(params.heap);
      const channel = heap.open<SharedChannel<number>>(params.channel);
      const { count, batch } = params;
      channel.receive();
      const start = performance.now();
      if (batch === 1) {
        for (let n = 1; n < count; n += 1) channel.receive();
      } else {
        // Up to `batch` items per transaction: the first waits (retry), the rest only if queued.
        for (let n = 1; n < count;) {
          n += heap.atomically(() => {
            channel.receive();
            let taken = 1;
            while (taken < batch && n + taken < count && channel.tryReceive() !== undefined) {
              taken += 1;
            }
            return taken;
          });
        }
      }
      return { micros: ((performance.now() - start) * 1000) / (count - 1) };
    }
    case 'echo-sleeping': {
      const heap = Heap.attach(params.heap);
      const ping = heap.open<SharedChannel<number>>(params.ping);
      const pong = heap.open<SharedChannel<number>>(params.pong);
      // Bounded by the pinger: it sends −1 last.
      for (;;) {
        const value = ping.receive();
        if (value < 0) return { micros: 0 };
        pong.send(value);
      }
    }
    case 'echo-spin': {
      const heap = Heap.attach(params.heap);
      const ping = heap.open<SharedChannel<number>>(params.ping);
      const pong = heap.open<SharedChannel<number>>(params.pong);
      // Bounded by the pinger: it sends −1 last.
      for (;;) {
        const value = ping.receive();
        if (value < 0) return { micros: 0 };
        pong.send(value);
      }
    }
    case 'post-send': {
      for (let n = 0; n < params.count; n += 1) params.port.postMessage(n);
      params.port.close();
      return { micros: 0 };
    }
    case 'post-receive': {
      const { port, count } = params;
      return new Promise((resolve) => {
        let received = 0;
        let start = 0;
        port.on('message', () => {
          received += 1;
          if (received === 1) start = performance.now();
          if (received === count) {
            port.close();
            resolve({ micros: ((performance.now() - start) * 1000) / (count - 1) });
          }
        });
      });
    }
  }
}

parentPort?.postMessage(await main());
