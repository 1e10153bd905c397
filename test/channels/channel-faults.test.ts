// SharedChannel under worker deaths: producers and consumers are terminated at random moments
// (`heap.watch` recovers each) and replaced, and the account is checked exactly at the end:
// - producers send inside a transaction that also records how many they sent (their `sent`
//   cell), so a replacement resumes exactly after the last committed send: every item 0 … count−1
//   of every producer is sent exactly once;
// - 'consume-atomic' consumers receive and log the item in one transaction: they lose nothing;
// - the 'consume-then-log' consumer logs in a second transaction, so each of its deaths may lose
//   the one item it had received and not yet logged (the documented rule), and nothing else.
// Nothing is ever received twice, and each log keeps each producer's order. Seeds: SEED=<n>.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Worker } from 'node:worker_threads';
import { Heap, type SharedArray, type SharedCell } from '../../src/index.js';
import { seededRandom, testSeed } from '../support/random.js';
import { within } from '../support/time-limit.js';
import type { ChannelWorkerData, Item } from './channel.worker.js';

const script = new URL('./channel.worker.ts', import.meta.url);
const seed = testSeed();
const producers = 2;
const count = 1500;
const consumerRoles = ['consume-atomic', 'consume-atomic', 'consume-then-log'] as const;
const kills = 10;
const killGapMsMax = 120;
const waitMsMax = 40_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  readonly worker: Worker;
  readonly exited: Promise<number>;
}

describe('SharedChannel when workers die', () => {
  it(`${String(kills)} producers and consumers killed mid-operation: exact account`, async (t: TestContext) => {
    t.diagnostic(`seed ${String(seed)}`);
    const random = seededRandom(seed);
    const capacities = [0, 1, 64, undefined];
    const capacity = capacities[Math.floor(random() * capacities.length)];
    t.diagnostic(`capacity ${String(capacity)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const channel = heap.channel<Item>(capacity === undefined ? {} : { capacity });
    const sent: SharedCell<number>[] = Array.from({ length: producers }, () => heap.cell(0));
    const logs: SharedArray<Item>[] = consumerRoles.map(() => heap.array<Item>());
    const running = new Map<string, Running>();
    const errors: string[] = [];
    const start = (name: string, data: ChannelWorkerData): void => {
      const worker = new Worker(script, { workerData: data });
      heap.watch(worker);
      worker.on('error', (error) => {
        errors.push(`${name}: ${String(error)}`);
      });
      const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
      running.set(name, { worker, exited });
    };
    const startProducer = (producer: number): void => {
      const cell = sent[producer];
      assert.ok(cell !== undefined);
      const from = cell.get();
      if (from >= count) return;
      start(`producer ${String(producer)}`, {
        role: 'produce',
        heap: heap.handle,
        channel: channel.ref,
        producer,
        from,
        count: count - from,
        sent: cell.ref,
      });
    };
    const startConsumer = (consumer: number): void => {
      const log = logs[consumer];
      const role = consumerRoles[consumer];
      assert.ok(log !== undefined && role !== undefined);
      start(`consumer ${String(consumer)}`, {
        role,
        heap: heap.handle,
        channel: channel.ref,
        log: log.ref,
      });
    };
    for (let producer = 0; producer < producers; producer += 1) startProducer(producer);
    for (let consumer = 0; consumer < consumerRoles.length; consumer += 1) startConsumer(consumer);

    let thenLogKills = 0;
    for (let kill = 0; kill < kills; kill += 1) {
      await sleep(random() * killGapMsMax);
      const names = [...running.keys()].sort();
      const name = names[Math.floor(random() * names.length)];
      const victim = name === undefined ? undefined : running.get(name);
      if (name === undefined || victim === undefined) break;
      await victim.worker.terminate();
      await victim.exited;
      running.delete(name);
      const [kind, index] = name.split(' ');
      if (kind === 'producer') startProducer(Number(index));
      else {
        if (consumerRoles[Number(index)] === 'consume-then-log') thenLogKills += 1;
        startConsumer(Number(index));
      }
    }
    // Let the producers finish (replacing none now), then close: the consumers drain and end.
    for (let producer = 0; producer < producers; producer += 1) {
      const name = `producer ${String(producer)}`;
      const producing = running.get(name);
      if (producing !== undefined) {
        assert.equal(await within(producing.exited, waitMsMax, `${name} did not finish`), 0);
      }
      assert.equal(sent[producer]?.get(), count, `${name} did not send everything`);
    }
    channel.close();
    for (const [name, { exited }] of running) {
      if (name.startsWith('consumer')) {
        const code = await within(exited, waitMsMax, `${name} did not finish`);
        assert.equal(code, 0, `${name} exited with ${String(code)}: ${errors.join('; ')}`);
      }
    }
    t.diagnostic(`consume-then-log deaths: ${String(thenLogKills)}`);

    const seen = Array.from({ length: producers }, () => new Uint8Array(count));
    for (const [consumer, log] of logs.entries()) {
      const last = new Array<number>(producers).fill(-1);
      for (const [producer, n] of log.toArray()) {
        const marks = seen[producer];
        assert.ok(marks !== undefined);
        assert.ok(
          (last[producer] ?? -1) < n,
          `log ${String(consumer)}: ${String(producer)} out of order`,
        );
        last[producer] = n;
        assert.equal(marks[n], 0, `item ${String(producer)}/${String(n)} received twice`);
        marks[n] = 1;
      }
    }
    const missing = seen.reduce((sum, marks) => sum + marks.filter((mark) => mark === 0).length, 0);
    t.diagnostic(`items lost: ${String(missing)}`);
    assert.ok(
      missing <= thenLogKills,
      `${String(missing)} items lost, but only ${String(thenLogKills)} receivers died between a receive and its log`,
    );
    assert.equal(channel.length, 0);
    heap.close();
  });
});
