/**
 * This worker's wrappers, one per shared object at a time, each holding one pin (a +1 on the
 * object's reference count) for as long as it is reachable. A wrapper that becomes unreachable is
 * found by a `FinalizationRegistry` and its pin released; `[Symbol.dispose]()` releases at once;
 * `heap.close()` releases them all. A wrapper that is still reachable is handed out again instead
 * of a new one, so reading the same reference twice gives the same object.
 *
 * Pins are mirrored in the worker's pin record in shared memory (pin-record.ts: raised after the
 * reference count, lowered before it), so that recovery can release a dead worker's pins.
 */
import { handleUnit } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { PinRecord } from './pin-record.js';

interface Entry {
  /** The live wrapper; undefined once disposed (pins of collected ones may remain). */
  wrapper: WeakRef<object> | undefined;
  /** Pins held for this handle: the live wrapper's, plus those of collected, unfinalised ones. */
  pins: number;
  /** Index of its entry in the shared pin record. */
  readonly recordIndex: number;
}

export class WrapperTable {
  readonly #entries = new Map<number, Entry>();
  readonly #finalization: FinalizationRegistry<Handle>;
  readonly #unpin: (handle: Handle) => void;
  readonly #record: PinRecord;

  constructor(record: PinRecord, unpin: (handle: Handle) => void) {
    this.#record = record;
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
      let recordIndex: number;
      try {
        recordIndex = this.#record.claim(handleUnit(handle));
      } catch (error) {
        this.#unpin(handle); // no room to record the pin (heap exhausted): give it back
        throw error;
      }
      this.#record.setPins(recordIndex, 1);
      this.#entries.set(handle, { wrapper: new WeakRef(wrapper), pins: 1, recordIndex });
    } else {
      entry.wrapper = new WeakRef(wrapper);
      entry.pins += 1;
      this.#record.setPins(entry.recordIndex, entry.pins);
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
      this.#record.release(entry.recordIndex);
      for (let pin = 0; pin < entry.pins; pin += 1) this.#unpin(handle as Handle);
    }
    this.#entries.clear();
  }

  #dropPin(handle: Handle): void {
    const entry = this.#entries.get(handle);
    if (entry === undefined) return;
    entry.pins -= 1;
    if (entry.pins === 0) {
      this.#entries.delete(handle);
      this.#record.release(entry.recordIndex);
    } else {
      this.#record.setPins(entry.recordIndex, entry.pins);
    }
    this.#unpin(handle);
  }
}
