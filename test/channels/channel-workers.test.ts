// SharedChannel between real workers: N producers × M consumers (blocking and async) over
// rendezvous, bounded and unbounded channels — every item received exactly once, each producer's
// items in order at every consumer; `select` over several channels in a worker; and an async
// receive on the main thread whose timers keep firing. Seeds: SEED=<n>.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Heap } from '../../src/index.js';
import { seededRandom, testSeed } from '../support/random.js';
import { runWorkers } from '../support/run-workers.js';
import { within } from '../support/time-limit.js';
import type { ChannelWorkerData, Item } from './channel.worker.js';

const script = new URL('./channel.worker.ts', import.meta.url);
const seed = testSeed();
const waitMsMax = 40_000;

/** Asserts every producer's items 0 … count − 1 arrived exactly once, in order per consumer. */
export function assertExactlyOnce(
  received: readonly (readonly Item[])[],
  producers: number,
  count: number,
): void {
  const seen = Array.from({ length: producers }, () => new Uint8Array(count));
  for (const [consumer, items] of received.entries()) {
    const last = new Array<number>(producers).fill(-1);
    for (const [producer, n] of items) {
      assert.ok(
        (last[producer] ?? -1) < n,
        `consumer ${String(consumer)}: producer ${String(producer)} out of order at ${String(n)}`,
      );
      last[producer] = n;
      const marks = seen[producer];
      assert.ok(marks !== undefined, `unknown producer ${String(producer)}`);
      assert.equal(marks[n], 0, `item ${String(producer)}/${String(n)} received twice`);
      marks[n] = 1;
    }
  }
  for (const [producer, marks] of seen.entries()) {
    const missing = marks.indexOf(0);
    assert.equal(missing, -1, `item ${String(producer)}/${String(missing)} never received`);
  }
}

describe('SharedChannel between workers', () => {
  it('N producers × M consumers over rendezvous, bounded and unbounded channels', async (t: TestContext) => {
    t.diagnostic(`seed ${String(seed)}`);
    const random = seededRandom(seed);
    for (const capacity of [0, 1, 64, undefined]) {
      const heap = Heap.create({ maxBytes: 64 << 20 });
      const channel = heap.channel<Item>(capacity === undefined ? {} : { capacity });
      const started = performance.now();
      const producers = 2 + Math.floor(random() * 2);
      const consumers = 2 + Math.floor(random() * 2);
      const count = capacity === 0 ? 300 : 1000;
      const producing = runWorkers<number>(
        script,
        Array.from({ length: producers }, (_, producer): ChannelWorkerData => ({
          role: 'produce',
          heap: heap.handle,
          channel: channel.ref,
          producer,
          from: 0,
          count,
        })),
      );
      const consuming = runWorkers<Item[]>(
        script,
        Array.from({ length: consumers }, (_, consumer): ChannelWorkerData => ({
          role: consumer % 2 === 0 ? 'consume' : 'consume-async',
          heap: heap.handle,
          channel: channel.ref,
        })),
      );
      const label = `capacity ${String(capacity)}, ${String(producers)}×${String(consumers)}`;
      await within(producing, waitMsMax, `${label}: producers did not finish`);
      channel.close();
      const received = await within(consuming, waitMsMax, `${label}: consumers did not finish`);
      assertExactlyOnce(received, producers, count);
      t.diagnostic(`${label}: ${String(Math.round(performance.now() - started))} ms`);
      assert.equal(channel.length, 0);
      heap.close();
    }
  });

  it('select in a worker receives from three channels until all are closed', async () => {
    const heap = Heap.create({ maxBytes: 32 << 20 });
    const channels = [
      heap.channel<Item>({ capacity: 1 }),
      heap.channel<Item>(),
      heap.channel<Item>({ capacity: 8 }),
    ];
    const count = 400;
    const selecting = runWorkers<Item[][]>(script, [
      { role: 'select', heap: heap.handle, channels: channels.map((channel) => channel.ref) },
    ]);
    await within(
      runWorkers<number>(
        script,
        channels.map((channel, producer): ChannelWorkerData => ({
          role: 'produce',
          heap: heap.handle,
          channel: channel.ref,
          producer,
          from: 0,
          count,
        })),
      ),
      waitMsMax,
      'producers did not finish',
    );
    for (const channel of channels) channel.close();
    const [received] = await within(selecting, waitMsMax, 'the selecting worker did not finish');
    assert.ok(received !== undefined);
    assertExactlyOnce(received, channels.length, count);
    heap.close();
  });

  it('a rendezvous send returns only once a receiver has taken the item', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const channel = heap.channel<Item>({ capacity: 0 });
    const log = heap.array<Item>();
    const consuming = runWorkers<boolean>(script, [
      { role: 'consume-atomic', heap: heap.handle, channel: channel.ref, log: log.ref },
    ]);
    const count = 100;
    for (let n = 0; n < count; n += 1) {
      channel.send([0, n]);
      // The consumer logs in its receive's transaction: taken means logged.
      assert.equal(log.length, n + 1, `send ${String(n)} returned before its item was taken`);
    }
    channel.close();
    await within(consuming, waitMsMax, 'the consumer did not finish');
    assertExactlyOnce([log.toArray()], 1, count);
    heap.close();
  });

  it('a rendezvous trySend succeeds once a receiver is blocked in receive', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const channel = heap.channel<Item>({ capacity: 0 });
    const consuming = runWorkers<Item[]>(script, [
      { role: 'consume', heap: heap.handle, channel: channel.ref },
    ]);
    const count = 20;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (let n = 0; n < count; n += 1) {
      // Bounded: the consumer blocks again right after each item (its start takes longest).
      let tries = 0;
      while (!channel.trySend([0, n])) {
        tries += 1;
        assert.ok(tries < 100_000, `trySend ${String(n)} never found the receiver`);
        Atomics.wait(nap, 0, 0, 0.2);
      }
    }
    channel.close();
    const [received] = await within(consuming, waitMsMax, 'the consumer did not finish');
    assert.ok(received !== undefined);
    assertExactlyOnce([received], 1, count);
    heap.close();
  });

  it('receiveAsync on the main thread leaves its event loop running', async () => {
    const heap = Heap.create({ maxBytes: 16 << 20 });
    const channel = heap.channel<Item>({ capacity: 4 });
    const count = 300;
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    const producing = runWorkers<number>(script, [
      { role: 'produce', heap: heap.handle, channel: channel.ref, producer: 0, from: 0, count },
    ]);
    const received: Item[] = [];
    // A timeout that expires while waiting must not stop the loop either.
    assert.equal(await channel.receiveTimeoutAsync(0), undefined);
    for (let n = 0; n < count; n += 1) received.push(await channel.receiveAsync());
    await within(producing, waitMsMax, 'the producer did not finish');
    clearInterval(timer);
    assertExactlyOnce([received], 1, count);
    assert.ok(ticks > 0, 'the interval timer never fired while receiving');
    // Deterministic: only this thread's own timer sends what it awaits, five ticks later.
    let beats = 0;
    const beat = setInterval(() => {
      beats += 1;
      if (beats === 5) channel.send([1, 0]);
    }, 1);
    const fromTimer = await within(channel.receiveAsync(), waitMsMax, 'the timer never ran');
    clearInterval(beat);
    assert.deepEqual(fromTimer, [1, 0]);
    channel.close();
    const ended: Item[] = [];
    for await (const item of channel) ended.push(item);
    assert.deepEqual(ended, []);
    heap.close();
  });
});
