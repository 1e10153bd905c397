// Slot reuse: 1 000 workers start, attach, and leave (closing, exiting or just ending) on a heap
// whose registry has 256 slots. `heap.watch` must give back the slots of those that did not close.
// The workers run the built package (brief.worker.mjs), so this also checks that the built code
// and the sources agree on the heap layout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { liveBlockCensus, type CensusEntry } from '../../src/alloc/index.js';
import { limits } from '../../src/base/index.js';
import { Heap } from '../../src/index.js';
import { headerWord, HeapMemory } from '../../src/memory/index.js';
import { slotField, WorkerRegistry } from '../../src/reclaim/index.js';
import { recordField, TxRecords } from '../../src/stm/index.js';

const cycles = 1000;
const concurrent = 8;

/** What `after` has beyond `before`, one `tag/bytes ×n` item per kind of live block. */
const censusGrowth = (before: CensusEntry[], after: CensusEntry[]): string[] =>
  after.flatMap(({ tag, blockBytes, blocks }) => {
    const had =
      before.find((entry) => entry.tag === tag && entry.blockBytes === blockBytes)?.blocks ?? 0;
    return blocks > had
      ? [`tag ${String(tag)}/${String(blockBytes)} B ×${String(blocks - had)}`]
      : [];
  });

/** Slots whose transaction record still names a log or a pin record (a holder's leftovers). */
const slotLeftovers = (memory: HeapMemory): string[] => {
  const records = new TxRecords(memory);
  const found: string[] = [];
  for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
    const log = Atomics.load(memory.i32, records.word(slot, recordField.logUnit));
    const pins = Atomics.load(memory.i32, records.word(slot, recordField.pinRecordUnit));
    if (log !== 0 || pins !== 0)
      found.push(`slot ${String(slot)}: log ${String(log)} pins ${String(pins)}`);
  }
  return found;
};

test(`1 000 worker start/exit cycles on ${String(limits.workerSlotsMax)} slots lose no slot`, async (t) => {
  // Every slot is claimed again several times over.
  assert.ok(cycles >= 3 * limits.workerSlotsMax);
  const heap = Heap.create({ maxBytes: 256 << 20 });
  const counter = heap.cell(0);
  const memory = HeapMemory.attach(heap.handle.buffer);
  const usedAtStart = heap.memoryUsage().usedBytes;
  const censusAtStart = liveBlockCensus(memory);
  const leaves = ['close', 'exit', 'end'] as const;
  let started = 0;
  const startedAt = performance.now();
  const lane = async (): Promise<void> => {
    while (started < cycles) {
      const leave = leaves[started % leaves.length] ?? 'close';
      started += 1;
      const worker = new Worker(new URL('./brief.worker.mjs', import.meta.url), {
        workerData: { heap: heap.handle, counter: counter.ref, leave },
        execArgv: [],
      });
      heap.watch(worker);
      await new Promise<void>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', () => {
          resolve();
        });
      });
    }
  };
  await Promise.all(Array.from({ length: concurrent }, lane));
  t.diagnostic(`${String(cycles)} cycles in ${(performance.now() - startedAt).toFixed(0)} ms`);
  assert.equal(counter.get(), cycles, 'every worker attached and did its update');
  assert.equal(heap.memoryUsage().attachedWorkers, 1, 'every slot came back');
  // Several rounds, not until one frees nothing: the logs and pin records of the last recovered
  // workers wait one grace period in this worker's bag; and what a worker that claimed a slot
  // found left by its previous holder (reclaim/recovery.ts) it retired into its own bag, which
  // went to the orphan list when it left. This worker adopts that list only once its adopted
  // chain is empty, so a round may adopt and free nothing while a later one frees.
  for (let round = 0; round < 8; round += 1) heap.reclaim();
  // The workers' superblocks went back (abandoned, then adopted and emptied) or stay abandoned
  // with nothing live: only this worker's cells, bag and log remain live.
  const usage = heap.memoryUsage();
  const used = usage.usedBytes;
  assert.ok(
    used <= usedAtStart + 512,
    `used ${String(used)}, ${String(usedAtStart)} at start; ` +
      `retired ${JSON.stringify(usage.retiredByWorker.filter((r) => r.retiredBytes !== 0))}, ` +
      `epoch ${String(usage.epoch)}, oldest observed ${String(usage.oldestObservedEpoch)} ` +
      `(slot ${String(usage.oldestObservedSlot)}); ` +
      `live blocks added ${censusGrowth(censusAtStart, liveBlockCensus(memory)).join(', ')}; ` +
      `records ${slotLeftovers(memory).join('; ')}; orphan list ${String(
        Atomics.load(memory.i32, headerWord.orphanBags),
      )}, adopted chain ${String(Atomics.load(memory.i32, new WorkerRegistry(memory).word(0, slotField.adoptedHead)))}`,
  );
});
