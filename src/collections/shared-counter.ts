/**
 * `SharedCounter` (`heap.counter()`): a number that many workers add to without conflicting.
 * `add(n)` is a commutative update (stm: `engine.commute`), applied at commit to whatever the
 * stripe holds then, so two adds never fail each other's validation; each worker adds to its own
 * stripe (stripes.ts), so adds of different workers do not even queue on one lock at commit.
 * Reading `value` reads every stripe: a transaction that reads the counter conflicts with adds
 * that commit meanwhile, as it must (it saw the sum).
 *
 * Counter block (tag `counterTag`), 8 + 8 × 32 = 264 bytes:
 *
 * | field    | offset | size | atomic | written by                      | invariant                  |
 * |----------|--------|------|--------|---------------------------------|----------------------------|
 * | header   | 0      | 8    | no     | allocator                       | tag `counterTag`           |
 * | refcount | 8      | 4    | yes    | lifetime.ts (spare half of the  | stored references + pins   |
 * |          |        |      |        | first stripe's word)            |                            |
 * | stripes  | 8      | 8×32 | tx     | `add` (commute on the slot's    | numbers; their sum is the  |
 * |          |        |      |        | stripe, stripes.ts)             | value                      |
 */
import type { BlockTag } from '../alloc/index.js';
import { handleUnit } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapContext, SharedKind } from '../objects/index.js';
import { twordUnits, twordValue, type TxEngine } from '../stm/index.js';
import { numberOfWord, numberWord } from '../values/index.js';
import { CollectionWrapper } from './collection-wrapper.js';
import { stripeOfSlot } from './stripes.js';

export const counterTag = 16 as BlockTag;
const stripes = 8;
const counterPayloadBytes = stripes * twordUnits * 8;
const stripeWord = (unit: number, stripe: number): number => unit + 1 + stripe * twordUnits;

export class SharedCounter extends CollectionWrapper {
  /** Wraps a counter block whose pin the caller holds; use `heap.counter` or the heap's `open`. */
  constructor(context: HeapContext, handle: Handle) {
    super(context, handle, counterTag, 'counter');
  }

  readonly [Symbol.toStringTag] = 'SharedCounter';

  /** The sum of every add so far (in a transaction: as of its snapshot, its own adds included). */
  get value(): number {
    return this.run('counter.value', (engine) => this.#sum(engine));
  }

  /** Adds `delta` (negative to subtract) without conflicting with other adds. */
  add(delta: number): void {
    if (typeof delta !== 'number' || !Number.isFinite(delta)) {
      throw new TypeError(`counter.add: the amount must be a finite number (got ${String(delta)})`);
    }
    this.run('counter.add', (engine) => {
      engine.commute(stripeWord(this.unit, stripeOfSlot(this.context.slot.index, stripes)), delta);
    });
  }

  toJSON(): number {
    return this.value;
  }

  /** `util.inspect(counter)`, and so the console, shows its value. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.usable ? `SharedCounter(${String(this.value)})` : 'SharedCounter <closed>';
  }

  #sum(engine: TxEngine): number {
    let sum = 0;
    for (let stripe = 0; stripe < stripes; stripe += 1) {
      sum += numberOfWord(engine.read(stripeWord(this.unit, stripe))) ?? 0;
    }
    return sum;
  }
}

/** A new counter holding `initial`. */
export function createCounter(context: HeapContext, initial = 0): SharedCounter {
  context.checkOpen('heap.counter');
  if (typeof initial !== 'number' || !Number.isFinite(initial)) {
    throw new TypeError(`heap.counter: the initial value must be a finite number`);
  }
  context.reclaim.enter();
  const handle = context.allocator.allocate(counterTag, counterPayloadBytes);
  const unit = handleUnit(handle);
  const { i32, b64 } = context.memory;
  // Zeros make valid transactional words holding the number 0.
  b64.fill(0n, unit + 1, unit + 1 + counterPayloadBytes / 8);
  b64[twordValue(stripeWord(unit, 0))] = numberWord(initial);
  // The creator's wrapper holds the first reference (the spare half of the first stripe's word).
  Atomics.store(i32, stripeWord(unit, 0) * 2, 1);
  const counter = new SharedCounter(context, handle);
  context.adoptNewWrapper(handle, counter);
  return counter;
}

/** The counter as a kind of shared object: numbers only, nothing to drop or free besides. */
export const counterKind: SharedKind<HeapContext> = {
  tag: counterTag,
  name: 'counter',
  open: (context, handle) => new SharedCounter(context, handle),
  forEachWord: () => {
    // Numbers own no block and refer to nothing.
  },
  describeWord: () => ({ object: 'counter', part: 'value' }),
};
