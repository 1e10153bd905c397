/**
 * This worker's wrappers, one per shared object at a time, each holding one pin (a +1 on the
 * object's reference count) for as long as it is reachable. A wrapper that becomes unreachable is
 * found by a `FinalizationRegistry` and its pin released; `[Symbol.dispose]()` releases at once;
 * `heap.close()` releases them all. A wrapper that is still reachable is handed out again instead
 * of a new one, so reading the same reference twice gives the same object.
 */
import type { Handle } from '../base/index.js';

interface Entry {
  /** The live wrapper; undefined once disposed (pins of collected ones may remain). */
  wrapper: WeakRef<object> | undefined;
  /** Pins held for this handle: the live wrapper's, plus those of collected, unfinalised ones. */
  pins: number;
}

export class WrapperTable {
  readonly #entries = new Map<number, Entry>();
  readonly #finalization: FinalizationRegistry<Handle>;
  readonly #unpin: (handle: Handle) => void;

  constructor(unpin: (handle: Handle) => void) {
    this.#unpin = unpin;
    this.#finalization = new FinalizationRegistry((handle: Handle) => {
      this.#dropPin(handle);
    });
  }

  /** The live wrapper of `handle`, if this worker has one. */
  find(handle: Handle): object | undefined {
    return this.#entries.get(handle)?.wrapper?.deref();
  }

  /** Records a new wrapper, whose pin the caller has just taken. */
  add(handle: Handle, wrapper: object): void {
    const entry = this.#entries.get(handle);
    if (entry === undefined) {
      this.#entries.set(handle, { wrapper: new WeakRef(wrapper), pins: 1 });
    } else {
      entry.wrapper = new WeakRef(wrapper);
      entry.pins += 1;
    }
    this.#finalization.register(wrapper, handle, wrapper);
  }

  /** Releases `wrapper`'s pin now (`[Symbol.dispose]`). */
  dispose(handle: Handle, wrapper: object): void {
    if (!this.#finalization.unregister(wrapper)) return;
    const entry = this.#entries.get(handle);
    if (entry?.wrapper?.deref() === wrapper) entry.wrapper = undefined;
    this.#dropPin(handle);
  }

  /** Releases every pin this worker holds (the heap is being closed). */
  releaseAll(): void {
    for (const [handle, entry] of this.#entries) {
      const wrapper = entry.wrapper?.deref();
      if (wrapper !== undefined) this.#finalization.unregister(wrapper);
      for (let pin = 0; pin < entry.pins; pin += 1) this.#unpin(handle as Handle);
    }
    this.#entries.clear();
  }

  #dropPin(handle: Handle): void {
    const entry = this.#entries.get(handle);
    if (entry === undefined) return;
    entry.pins -= 1;
    if (entry.pins === 0) this.#entries.delete(handle);
    this.#unpin(handle);
  }
}
