/**
 * The registry of shared-object kinds: what the layers around a shared object need to know about
 * its kind, so that a new kind (a map, an array, a struct) plugs into them by being registered,
 * without a switch to edit anywhere:
 * - the codec and `heap.open` make this worker's wrapper of a block of the kind (`open`);
 * - reference counting destroys an object of the kind when its last reference goes: the slot
 *   words it holds are dropped (their references released, their value blocks retired) and the
 *   blocks it owns besides its own are retired (`forEachWord`, `forEachOwnedBlock`).
 * A kind is named by its block tag. Each worker registers the same kinds (it imports the same
 * modules), so a block written by one worker is understood by all.
 */
import type { BlockTag } from '../alloc/index.js';
import type { Handle } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { WordPlace } from '../stm/index.js';

/** `Context` is the worker's heap context (context.ts), a parameter so this file imports none. */
export interface SharedKind<Context> {
  /** The block tag of this kind's objects (one kind per tag). */
  readonly tag: BlockTag;
  /** For messages: `cell`, `map`, … */
  readonly name: string;
  /** This worker's wrapper of the live object `handle` names; the caller holds its pin. */
  open(context: Context, handle: Handle): object;
  /** Every slot word the object at block `unit` holds (it is unreachable: nobody writes it). */
  forEachWord(memory: HeapMemory, unit: number, visit: (word: bigint) => void): void;
  /** Every block the object owns besides its own block (none for a cell). */
  forEachOwnedBlock?(memory: HeapMemory, unit: number, visit: (block: Handle) => void): void;
  /** Tags of the blocks it owns (entries, tables, segments), whose words it describes too. */
  readonly ownedTags?: readonly BlockTag[];
  /**
   * Where transactional word `word` sits in the block at `blockUnit` (tagged `tag`: this kind's
   * or one of `ownedTags`), for conflict reports: the part, and the key, index or field name.
   * Best effort: the block may have been freed meanwhile (the caller catches what it throws).
   */
  describeWord?(
    context: Context,
    blockUnit: number,
    tag: number,
    word: number,
  ): Omit<WordPlace, 'handle'>;
}

/** What reference counting needs of the registry: how to take an unreachable object apart. */
export interface ObjectTeardown {
  byTag(
    tag: number,
  ): Pick<SharedKind<never>, 'name' | 'forEachWord' | 'forEachOwnedBlock'> | undefined;
}

export class SharedKinds<Context> implements ObjectTeardown {
  readonly #byTag = new Map<number, SharedKind<Context>>();
  /** Owned block tags, to the first kind registered that owns them (a set's entries: the map's). */
  readonly #byOwnedTag = new Map<number, SharedKind<Context>>();

  constructor(kinds: Iterable<SharedKind<Context>>) {
    for (const kind of kinds) this.#register(kind);
  }

  /** A registry with `kinds` added to this one's (a layer above adds its own kinds). */
  with(...kinds: SharedKind<Context>[]): SharedKinds<Context> {
    return new SharedKinds([...this.#byTag.values(), ...kinds]);
  }

  /** The kind of blocks tagged `tag`, or undefined if `tag` is not a shared object's. */
  byTag(tag: number): SharedKind<Context> | undefined {
    return this.#byTag.get(tag);
  }

  /** The kind whose objects are, or own, blocks tagged `tag` (for describing their words). */
  ownerOfTag(tag: number): SharedKind<Context> | undefined {
    return this.#byTag.get(tag) ?? this.#byOwnedTag.get(tag);
  }

  #register(kind: SharedKind<Context>): void {
    const known = this.#byTag.get(kind.tag);
    if (known !== undefined && known !== kind) {
      throw new TypeError(
        `block tag ${String(kind.tag)} is registered twice: ${known.name} and ${kind.name}`,
      );
    }
    this.#byTag.set(kind.tag, kind);
    for (const tag of kind.ownedTags ?? []) {
      if (!this.#byOwnedTag.has(tag)) this.#byOwnedTag.set(tag, kind);
    }
  }
}
