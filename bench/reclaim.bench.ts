// Reclamation benchmarks (QSBR with neutralisation, src/reclaim/epoch.ts), a matrix of three
// scenarios, each against a baseline measured in the same run:
//  1. pin cost: `enter()` + `stillValid()`, what every reading operation pays for reclamation,
//     against an empty call and one `Atomics.add`, and as a share of `cell.get()` of a number.
//  2. churn: workers replace strings in their own cells, so every set retires a block and
//     reclamation runs all the time; 2 workers vs 1, with the peak `usedBytes` of each.
//  3. churn with one stalled worker: 2 churners plus a worker parked inside `cell.update`, vs the
//     same 2 churners alone, both on heaps with `reclaimStallMs: 100`; throughput and peak memory.
// Every churn run gets fresh heaps, so no run inherits another's leftovers or fragmentation.
import { BlockTag } from '../src/alloc/index.js';
import { limits } from '../src/base/index.js';
import { Heap } from '../src/index.js';
import { HeapMemory } from '../src/memory/index.js';
import { HeapContext, objectKinds } from '../src/objects/index.js';
import { blackhole, median, nsPerOp, pairedThroughput } from './lib/measure.js';
import type { ChurnParams } from './workers/churn.worker.js';
import type { BenchResult } from './run.js';

const churnScript = new URL('./workers/churn.worker.ts', import.meta.url);
const churnHeapBytes = 256 << 20;
const cellsPerWorker = 16;
/** The stall bound of scenario 3 (the default, 1000 ms, would outlast a short run). */
const stallScenarioStallMs = 100;
/**
 * Each churner churns this long before the timed window: every run starts new workers, and
 * without it 2 workers scaled ~1.0–1.4× instead of ~1.7× (tiering up inside the window; with 2
 * workers on 2 cores, the optimising compiler's threads compete with them).
 */
const churnWarmupMs = 150;
/** Shortest timed window of a churn run: a few stall bounds of scenario 3. */
const churnRunMsMin = 300;
/** How often the main thread samples `usedBytes` while workers run. */
const usageSampleMs = 5;
/** Index of a cell's value word in 8-byte units from its block's unit (stm/cell.ts's table). */
const cellValueUnit = 2;
const mib = 2 ** 20;
/** Length of one timed sample of the pin figures (several rounds of them: see below). */
const pinSampleMs = 100;

/** Stands in for a call that does nothing (V8 inlines it: this measures the loop around it). */
function nothing(): void {
  // Deliberately empty.
}

const pinFigures = ['pin', 'empty', 'add', 'get', 'raw'] as const;
type PinFigure = (typeof pinFigures)[number];

function pinBenchmarks(samples: number): BenchResult[] {
  const heap = Heap.create({ maxBytes: 64 << 20 });
  const cell = heap.cell(3.25);
  // A second participant on the same heap, built the way `Heap.attach` builds one, so its
  // `enter`/`stillValid` touch the real epoch word and a real registry slot.
  const context = new HeapContext(HeapMemory.attach(heap.handle.buffer), objectKinds);
  const { reclaim: participant, codec, memory } = context;
  const { b64 } = memory;
  const valueSlot = context.allocator.blockUnit(cell.handle, BlockTag.cell) + cellValueUnit;
  if (codec.decode(Atomics.load(b64, valueSlot)) !== 3.25) {
    throw new Error('BUG: the cell layout changed; update cellValueUnit');
  }
  const counter = new Int32Array(new SharedArrayBuffer(64));

  const pin = (n: number): void => {
    let valid = 0;
    for (let i = 0; i < n; i += 1) {
      participant.enter();
      if (participant.stillValid()) valid += 1;
    }
    blackhole.value = valid;
  };
  const empty = (n: number): void => {
    let valid = 0;
    for (let i = 0; i < n; i += 1) {
      nothing();
      valid += 1;
    }
    blackhole.value = valid;
  };
  const add = (n: number): void => {
    for (let i = 0; i < n; i += 1) Atomics.add(counter, 0, 1);
    blackhole.value = Atomics.load(counter, 0);
  };
  const get = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += cell.get();
    blackhole.value = sum;
  };
  // The load and decode alone, through the same codec code: what `get` adds beyond them is the
  // pin plus its own checks (closed, disposed, freed cell) and the redo loop.
  const raw = (n: number): void => {
    let sum = 0;
    for (let i = 0; i < n; i += 1) sum += codec.decode(Atomics.load(b64, valueSlot)) as number;
    blackhole.value = sum;
  };
  // Round-robin rounds, ratios taken within a round: on this machine the cost of every Atomics
  // call switches between two levels (~5 and ~11 ns) every few seconds, so figures timed far
  // apart would compare different machine states.
  const bodies: Record<PinFigure, (n: number) => void> = { pin, empty, add, get, raw };
  const times: Record<PinFigure, number[]> = { pin: [], empty: [], add: [], get: [], raw: [] };
  const ratios: Record<'empty' | 'add' | 'unpinned' | 'raw', number[]> = {
    empty: [],
    add: [],
    unpinned: [],
    raw: [],
  };
  for (let round = 0; round < samples; round += 1) {
    const t: Record<PinFigure, number> = { pin: 0, empty: 0, add: 0, get: 0, raw: 0 };
    for (const figure of pinFigures) {
      t[figure] = nsPerOp(bodies[figure], 1, pinSampleMs);
      times[figure].push(t[figure]);
    }
    ratios.empty.push(t.empty / t.pin);
    ratios.add.push(t.add / t.pin);
    // The share is pin ÷ get, i.e. `get` against the same `get` without the pin (get − pin),
    // with the pin timed on its own. The raw load+decode is not used as "get without the pin":
    // it also leaves out get's checks and redo loop, so get − raw would charge those to the pin.
    ratios.unpinned.push((t.get - t.pin) / t.get);
    ratios.raw.push(t.raw / t.get);
  }
  context.close();
  heap.close();

  const pinNs = median(times.pin);
  const getNs = median(times.get);
  const sharePercent = 100 * (1 - median(ratios.unpinned));
  return [
    {
      name: 'pin: enter()+stillValid() (ns)',
      value: pinNs,
      baseline: median(times.empty),
      baselineName: 'empty call',
      ratio: median(ratios.empty),
      target: 'report',
    },
    {
      name: 'pin vs one uncontended Atomics.add (ns)',
      value: pinNs,
      baseline: median(times.add),
      baselineName: 'Atomics.add',
      ratio: median(ratios.add),
      target: 'report',
    },
    {
      name: `cell.get() of a number, pin ${sharePercent.toFixed(1)} % of it (ns)`,
      value: getNs,
      baseline: getNs * median(ratios.unpinned),
      baselineName: 'get − pin',
      ratio: median(ratios.unpinned),
      target: '≥ 0.95× (pin ≤ 5 %)',
    },
    {
      name: 'cell.get() of a number vs raw load+decode (ns)',
      value: getNs,
      baseline: median(times.raw),
      baselineName: 'Atomics.load+decode',
      ratio: median(ratios.raw),
      target: 'report',
    },
  ];
}

interface ChurnSide {
  readonly churners: number;
  readonly stallers: number;
  readonly reclaimStallMs: number;
}

interface ChurnPair {
  /** Medians of sets/s (all churners together) and of the per-pair ratios a / b. */
  readonly a: number;
  readonly b: number;
  readonly ratio: number;
  /** Highest `usedBytes` seen in any run of each side. */
  readonly peakA: number;
  readonly peakB: number;
}

/**
 * `pairedThroughput` with fresh heaps for every pair: one pair per call, `samples` calls, medians
 * of the throughputs and of the pair ratios. Meanwhile the main thread samples both heaps'
 * `usedBytes` (only one of them is in use at a time). Retired blocks not yet freed count as used.
 */
async function pairedChurn(
  a: ChurnSide,
  b: ChurnSide,
  durationMs: number,
  samples: number,
): Promise<ChurnPair> {
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  let peakA = 0;
  let peakB = 0;
  for (let sample = 0; sample < samples; sample += 1) {
    const heapA = Heap.create({ maxBytes: churnHeapBytes, reclaimStallMs: a.reclaimStallMs });
    const heapB = Heap.create({ maxBytes: churnHeapBytes, reclaimStallMs: b.reclaimStallMs });
    const sampleUsage = (): void => {
      peakA = Math.max(peakA, heapA.memoryUsage().usedBytes);
      peakB = Math.max(peakB, heapB.memoryUsage().usedBytes);
    };
    const sampler = setInterval(sampleUsage, usageSampleMs);
    const side = (
      s: ChurnSide,
      heap: Heap,
    ): { script: URL; count: number; params: ChurnParams } => ({
      script: churnScript,
      count: s.churners + s.stallers,
      params: { heap: heap.handle, churners: s.churners, cellsPerWorker, warmupMs: churnWarmupMs },
    });
    try {
      const pair = await pairedThroughput(side(a, heapA), side(b, heapB), durationMs, 1);
      as.push(pair.a);
      bs.push(pair.b);
      ratios.push(pair.ratio);
    } finally {
      clearInterval(sampler);
      heapA.close();
      heapB.close();
    }
  }
  return { a: median(as), b: median(bs), ratio: median(ratios), peakA, peakB };
}

/** Bytes of one churned string's block (header and size-class rounding included). */
function churnStringBlockBytes(): number {
  const heap = Heap.create({ maxBytes: 16 << 20 });
  const cell = heap.cell<number | string>(0);
  // The old value is a number and the first retire bag already exists: only the string counts.
  const before = heap.memoryUsage().usedBytes;
  cell.set('w0:churned:1000000');
  const bytes = heap.memoryUsage().usedBytes - before;
  heap.close();
  return bytes;
}

export async function reclaimBenchmarks(
  samples: number,
  durationMs: number,
): Promise<BenchResult[]> {
  const pin = pinBenchmarks(samples);
  // Each run costs ~0.5 s of worker start-up (TypeScript loader hooks in every worker) plus the
  // warm-up, and the suite makes 4 runs per sample: half-length windows keep it near 30 s.
  const runMs = Math.max(churnRunMsMin, durationMs / 2);
  const stallMsDefault = limits.reclaimStallMsDefault;
  const one: ChurnSide = { churners: 1, stallers: 0, reclaimStallMs: stallMsDefault };
  const two: ChurnSide = { churners: 2, stallers: 0, reclaimStallMs: stallMsDefault };
  const scaling = await pairedChurn(two, one, runMs, samples);
  // Like with like: the same 2 churners, with and without a third worker stalled inside an
  // operation, both on heaps with the short stall bound.
  const twoShort: ChurnSide = { ...two, reclaimStallMs: stallScenarioStallMs };
  const stalled: ChurnSide = { ...twoShort, stallers: 1 };
  const stall = await pairedChurn(stalled, twoShort, runMs, samples);

  // Memory is bounded if the peak stays far below what the run retired in all. With a stalled
  // worker nothing is freed until it is neutralised, so there the yardstick is what the
  // churners retire during one stall bound.
  const blockBytes = churnStringBlockBytes();
  const retiredMiB = (setsPerS: number, ms: number): number =>
    (setsPerS * (ms / 1000) * blockBytes) / mib;
  const peak = (
    name: string,
    peakBytes: number,
    setsPerS: number,
    overMs: number,
    overName: string,
  ): BenchResult => ({
    name: `churn: peak usedBytes, ${name} (MiB)`,
    value: peakBytes / mib,
    baseline: retiredMiB(setsPerS, overMs),
    baselineName: `retired in ${overName}`,
    ratio: retiredMiB(setsPerS, overMs) / (peakBytes / mib),
    target: 'bounded',
  });
  // A stall costs the others a fixed amount of work per episode (see the report of the suite),
  // so the ratio depends on the window; the loss in ms of churn does not.
  const lostMs = (1 - stall.ratio) * runMs;
  return [
    ...pin,
    {
      name: 'churn: string sets, 2 workers vs 1 (sets/s)',
      value: scaling.a,
      baseline: scaling.b,
      baselineName: '1 worker',
      ratio: scaling.ratio,
      target: '≥ 1.7×',
    },
    peak('1 worker', scaling.peakB, scaling.b, runMs, 'run'),
    peak('2 workers', scaling.peakA, scaling.a, runMs, 'run'),
    {
      name: `churn, 2 + 1 stalled vs none (sets/s; ${lostMs.toFixed(0)} ms lost per stall)`,
      value: stall.a,
      baseline: stall.b,
      baselineName: 'no stall',
      ratio: stall.ratio,
      target: '≥ 0.9×',
    },
    peak('2 workers, no stall', stall.peakB, stall.b, runMs, 'run'),
    peak('2 + 1 stalled', stall.peakA, stall.a, stallScenarioStallMs, 'one stall bound'),
  ];
}
