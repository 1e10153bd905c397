// SharedChannel under worker deaths: producers and consumers are terminated at random moments,
// and die at random crash points of the library (mid-commit, mid-lock, mid-retry: the repo's
// fault injection); `heap.watch` recovers each and a replacement continues. The account is
// checked exactly at the end:
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
import type { ChannelWorkerData, Item } from './channel.worker.js';

const script = new URL('./channel.worker.ts', import.meta.url);
const seed = testSeed();
const producers = 2;
const count = 1500;
const consumerRoles = ['consume-atomic', 'consume-atomic', 'consume-then-log'] as const;
/** Index of the consumer that logs in a second transaction (it may lose one item per death). */
const thenLogIndex = 2;
const kills = 8;
/** Chance of dying at each crash point a worker passes (~8 per operation). */
const crashRate = 1 / 8000;
const killGapMsMax = 120;
const waitMsMax = 40_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SharedChannel when workers die', () => {
  it(`workers killed (${String(kills)} terminations, crash points mid-commit): exact account`, async (t: TestContext) => {
    t.diagnostic(`seed ${String(seed)}`);
    const random = seededRandom(seed);
    const capacities = [0, 1, 64, undefined];
    const capacity = capacities[Math.floor(random() * capacities.length)];
    t.diagnostic(`capacity ${String(capacity)}`);
    const heap = Heap.create({ maxBytes: 64 << 20 });
    const channel = heap.channel<Item>(capacity === undefined ? {} : { capacity });
    const sent: SharedCell<number>[] = Array.from({ length: producers }, () => heap.cell(0));
    const logs: SharedArray<Item>[] = consumerRoles.map(() => heap.array<Item>());
    const running = new Map<string, Worker>();
    const finished = new Set<string>();
    const errors: string[] = [];
    const exits: string[] = [];
    let deaths = 0;
    let thenLogDeaths = 0;
    const crash = (): { rate: number; seed: number } => ({
      rate: crashRate,
      seed: Math.floor(random() * 2 ** 32),
    });
    const start = (name: string, data: ChannelWorkerData): void => {
      const worker = new Worker(script, { workerData: data });
      heap.watch(worker);
      running.set(name, worker);
      worker.on('error', (error) => {
        errors.push(`${name}: ${String(error)}`);
      });
      let done = false;
      worker.once('message', () => {
        done = true;
      });
      worker.once('exit', (code) => {
        exits.push(`${name}:${String(code)}`);
        running.delete(name);
        // Finished: it posted its result. (Not the exit code: a worker terminated while it
        // was still starting exits with 0.)
        if (done && code === 0) {
          finished.add(name);
          return;
        }
        // Killed, or died at a crash point: `heap.watch` recovered it (its listener ran first).
        deaths += 1;
        if (name === `consumer ${String(thenLogIndex)}`) thenLogDeaths += 1;
        restart(name);
      });
    };
    const startProducer = (producer: number): void => {
      const cell = sent[producer];
      assert.ok(cell !== undefined);
      const from = cell.get();
      const name = `producer ${String(producer)}`;
      if (from >= count) {
        finished.add(name);
        return;
      }
      start(name, {
        role: 'produce',
        heap: heap.handle,
        channel: channel.ref,
        producer,
        from,
        count: count - from,
        sent: cell.ref,
        crash: crash(),
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
        crash: crash(),
      });
    };
    const restart = (name: string): void => {
      const [kind, index] = name.split(' ');
      if (kind === 'producer') startProducer(Number(index));
      else startConsumer(Number(index));
    };
    for (let producer = 0; producer < producers; producer += 1) startProducer(producer);
    for (let consumer = 0; consumer < consumerRoles.length; consumer += 1) startConsumer(consumer);

    for (let kill = 0; kill < kills; kill += 1) {
      await sleep(random() * killGapMsMax);
      const names = [...running.keys()].sort();
      const victim = running.get(names[Math.floor(random() * names.length)] ?? '');
      // Its exit listener counts the death and starts a replacement.
      if (victim !== undefined) await victim.terminate();
    }
    const until = async (done: () => boolean, what: string): Promise<void> => {
      const deadline = performance.now() + waitMsMax;
      while (!done()) {
        if (performance.now() >= deadline) {
          const state = {
            sent: sent.map((cell) => cell.get()),
            queued: channel.length,
            logged: logs.map((log) => log.length),
            running: [...running.keys()],
            deaths,
            exits,
            errors,
          };
          for (const worker of running.values()) void worker.terminate();
          assert.fail(`${what}: ${JSON.stringify(state)}`);
        }
        await sleep(10);
      }
    };
    // The producers finish (replaced when they die), then the consumers drain and end.
    await until(
      () => sent.every((cell) => cell.get() === count),
      'the producers did not send everything',
    );
    channel.close();
    await until(
      () => consumerRoles.every((_, consumer) => finished.has(`consumer ${String(consumer)}`)),
      'the consumers did not finish',
    );
    t.diagnostic(
      `deaths: ${String(deaths)}, of the receive-then-log consumer: ${String(thenLogDeaths)}`,
    );
    assert.deepEqual(errors, []);

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
      missing <= thenLogDeaths,
      `${String(missing)} items lost, but the receive-then-log consumer died only ${String(thenLogDeaths)} times`,
    );
    assert.equal(channel.length, 0);
    heap.close();
  });
});
