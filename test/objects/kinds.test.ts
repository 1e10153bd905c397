// The registry of shared-object kinds: a kind defined outside objects/ — here a pair, one block
// holding two transactional words — plugs into the heap context by being registered: references
// to it decode to its wrappers, its words are read and written in transactions, and when its
// last reference goes its words are dropped (a cell it held is freed with it). No switch edited.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockTag } from '../../src/alloc/index.js';
import type { Handle } from '../../src/base/index.js';
import { HeapMemory } from '../../src/memory/index.js';
import {
  createCell,
  HeapContext,
  objectKinds,
  readOutside,
  SharedKinds,
  type SharedCell,
  type SharedKind,
} from '../../src/objects/index.js';
import { atomicallyOn, initTword, twordUnits, twordValue } from '../../src/stm/index.js';
import { SharedObject } from '../../src/values/index.js';
import { Heap } from '../../src/index.js';

const pairTag = 40 as BlockTag;
/** The pair's words: the first after the header (its spare half is the refcount), then the next. */
const wordOf = (unit: number, index: number): number => unit + 1 + index * twordUnits;

class Pair extends SharedObject {
  readonly unit: number;
  readonly #context: HeapContext;

  constructor(context: HeapContext, handle: Handle) {
    super(context.heapId, handle, pairTag);
    this.#context = context;
    this.unit = context.allocator.blockUnit(handle, pairTag);
  }

  get(index: number): unknown {
    return readOutside(this.#context, wordOf(this.unit, index));
  }

  [Symbol.dispose](): void {
    this.#context.wrappers.dispose(this.handle, this);
  }

  set(index: number, value: unknown): void {
    const context = this.#context;
    atomicallyOn(context.engine, () => {
      const entry = context.engine.lockCell(wordOf(this.unit, index));
      context.engine.setValue(entry, context.encodeToStore(value));
    });
  }
}

const pairKind: SharedKind<HeapContext> = {
  tag: pairTag,
  name: 'pair',
  open: (context, handle) => new Pair(context, handle),
  forEachWord: (memory, unit, visit) => {
    for (let index = 0; index < 2; index += 1) {
      visit(Atomics.load(memory.b64, twordValue(wordOf(unit, index))));
    }
  },
};

function createPair(context: HeapContext, first: unknown, second: unknown): Pair {
  const handle = context.allocator.allocate(pairTag, 2 * twordUnits * 8);
  const unit = context.allocator.blockUnit(handle, pairTag);
  const { i32, b64 } = context.memory;
  initTword(i32, b64, wordOf(unit, 1), context.encodeToStore(second));
  initTword(i32, b64, wordOf(unit, 0), context.encodeToStore(first));
  Atomics.store(i32, wordOf(unit, 0) * 2, 1); // the refcount, in the first word's spare half
  const pair = new Pair(context, handle);
  context.adoptNewWrapper(handle, pair);
  return pair;
}

describe('shared-object kinds', () => {
  it('a registered kind is opened, written, and destroyed with what it holds', () => {
    const heap = Heap.create({ maxBytes: 8 << 20 });
    const context = new HeapContext(
      HeapMemory.attach(heap.handle.buffer),
      objectKinds.with(pairKind),
    );
    const inner = createCell(context, 'held by the pair');
    const pair = createPair(context, 1, inner);
    const holder: SharedCell<unknown> = createCell<unknown>(context, pair);
    assert.equal(pair.get(0), 1);
    assert.equal(pair.get(1), inner, 'a reference decodes to the one wrapper');
    pair.set(0, 'two');
    assert.equal(pair.get(0), 'two');
    // A stored reference reopens through the registry (decoded as this worker's wrapper).
    assert.equal(
      readOutside(context, wordOf(context.allocator.blockUnit(holder.handle, 4), -0)),
      pair,
    );
    // Let go of every wrapper and of the stored reference: the pair, then the cell it held, go.
    const innerHandle = inner.handle;
    inner[Symbol.dispose]();
    pair[Symbol.dispose]();
    holder.set(null);
    context.reclaim.reclaimNow();
    context.reclaim.reclaimNow();
    assert.throws(() => context.allocator.tagOf(innerHandle), /no longer|stale|free/i);
    context.close();
    heap.close();
  });

  it('a tag registered twice by two kinds is refused', () => {
    assert.throws(
      () => new SharedKinds([pairKind, { ...pairKind, name: 'impostor' }]),
      /registered twice/,
    );
    assert.equal(objectKinds.with(pairKind).byTag(pairTag), pairKind);
    assert.equal(objectKinds.byTag(pairTag), undefined, 'with() leaves the original as it was');
  });
});
