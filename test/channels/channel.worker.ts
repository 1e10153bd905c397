// Worker of the channel tests: one role per worker, given in workerData. Producers send
// `[producer, n]` pairs in order; consumers receive until the channel is closed and drained and
// report what they received, in order; the logged roles record each item in shared memory so
// that a worker killed by the main thread leaves an exact account of what it did.
import { parentPort, workerData } from 'node:worker_threads';
import { faults } from '../../src/base/index.js';
import {
  atomically,
  Heap,
  select,
  type HeapHandle,
  type SharedArray,
  type SharedCell,
  type SharedChannel,
  type SharedRef,
} from '../../src/index.js';
import { seededRandom } from '../support/random.js';

export type Item = readonly [producer: number, n: number];

/** Fault injection: die at a random crash point of the library, each passed with `rate`. */
export interface CrashAt {
  readonly crash?: { readonly rate: number; readonly seed: number };
}

export type ChannelWorkerData = CrashAt &
  (
    | {
        readonly role: 'produce';
        readonly heap: HeapHandle;
        readonly channel: SharedRef;
        readonly producer: number;
        readonly from: number;
        readonly count: number;
        /** A cell written in each send's transaction with the count sent so far (kill tests). */
        readonly sent?: SharedRef;
      }
    | {
        readonly role: 'consume' | 'consume-async';
        readonly heap: HeapHandle;
        readonly channel: SharedRef;
      }
    | {
        /** Receive, then push to `log` in a second transaction: a kill in between loses one item. */
        readonly role: 'consume-then-log' | 'consume-atomic';
        readonly heap: HeapHandle;
        readonly channel: SharedRef;
        readonly log: SharedRef;
      }
    | {
        readonly role: 'select';
        readonly heap: HeapHandle;
        readonly channels: readonly SharedRef[];
      }
  );

const data = workerData as ChannelWorkerData;
const heap = Heap.attach(data.heap);
if (data.crash !== undefined) {
  const { rate } = data.crash;
  const random = seededRandom(data.crash.seed);
  faults.atCrashPoint = () => {
    // Exits the thread here, mid-commit or mid-wait: `heap.watch` in the test recovers it.
    if (random() < rate) process.exit(3);
  };
}

function produce(channel: SharedChannel<Item>, sent: SharedCell<number> | undefined): void {
  if (data.role !== 'produce') return;
  for (let n = data.from; n < data.from + data.count; n += 1) {
    if (sent === undefined) {
      channel.send([data.producer, n]);
    } else {
      atomically(() => {
        channel.send([data.producer, n]);
        sent.set(n + 1);
      });
    }
  }
}

async function main(): Promise<unknown> {
  switch (data.role) {
    case 'produce': {
      const channel = heap.open<SharedChannel<Item>>(data.channel);
      const sent = data.sent === undefined ? undefined : heap.open<SharedCell<number>>(data.sent);
      produce(channel, sent);
      return data.count;
    }
    case 'consume': {
      const channel = heap.open<SharedChannel<Item>>(data.channel);
      return [...channel];
    }
    case 'consume-async': {
      const channel = heap.open<SharedChannel<Item>>(data.channel);
      const received: Item[] = [];
      for await (const item of channel) received.push(item);
      return received;
    }
    case 'consume-then-log': {
      const channel = heap.open<SharedChannel<Item>>(data.channel);
      const log = heap.open<SharedArray<Item>>(data.log);
      for (const item of channel) log.push(item);
      return true;
    }
    case 'consume-atomic': {
      const channel = heap.open<SharedChannel<Item>>(data.channel);
      const log = heap.open<SharedArray<Item>>(data.log);
      for (;;) {
        const more = atomically(() => {
          if (channel.closed && channel.length === 0) return false;
          log.push(channel.receive());
          return true;
        });
        if (!more) return true;
      }
    }
    case 'select': {
      const channels = data.channels.map((ref) => heap.open<SharedChannel<Item>>(ref));
      const received: Item[][] = channels.map(() => []);
      let open = channels.length;
      const cases = channels.map((receive) => ({ receive }));
      while (open > 0) {
        const selected = select(cases);
        if (selected === undefined) throw new Error('select without timeout returned nothing');
        if (selected.closed) {
          open -= 1;
          cases.splice(selected.index, 1);
          continue;
        }
        const item = selected.value as Item;
        received[item[0]]?.push(item);
      }
      return received;
    }
  }
}

const result = await main();
heap.close();
parentPort?.postMessage(result);
