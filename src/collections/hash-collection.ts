/**
 * What `SharedMap` and `SharedSet` share besides their hash table (hash-table.ts): `size`, `clear`
 * and reading every entry in insertion order.
 */
import type { BlockTag } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapContext } from '../objects/index.js';
import { CollectionWrapper } from './collection-wrapper.js';
import { HashTable, type EntryView } from './hash-table.js';

export abstract class HashCollection extends CollectionWrapper {
  protected readonly table: HashTable;
  readonly #noun: string;

  /** Wraps a block whose pin the caller holds. */
  protected constructor(context: HeapContext, handle: Handle, tag: BlockTag, noun: string) {
    super(context, handle, tag, noun);
    this.#noun = noun;
    this.table = new HashTable(context, this.unit, () => this.usable);
  }

  /** Entries in the collection. */
  get size(): number {
    return this.run(`${this.#noun}.size`, (engine) => this.table.size(engine));
  }

  /** Removes every entry (one transaction that conflicts with every other use of it). */
  clear(): void {
    this.run(`${this.#noun}.clear`, (engine) => {
      this.table.clear(engine);
    });
  }

  /** The entries in insertion order, read in one transaction. */
  protected view(what: string): EntryView[] {
    return this.run(what, (engine) => this.table.view(engine));
  }
}
