/**
 * The running attempt's log, in this worker's own memory (nothing here is shared): its read log
 * (each cell read and the version it was read at), its write set (each cell locked, its committed
 * value and version as of the lock, and what the attempt writes there), the undo log of its open
 * checkpoints (orElse branches, nested `atomically`), and its commit and abort actions.
 *
 * One object that the engine (engine.ts) and the parts it delegates to share: plain fields, read
 * and written in place, because the read and write fast paths (engine.ts) touch them on every
 * access and must stay a few loads long. The arrays grow by doubling and are kept across attempts, so that a steady state of
 * transactions allocates nothing here. Module-internal: stm/index.ts does not export it.
 */
import { assert, LimitExceededError } from '../base/index.js';

/** Write-set entry states: locked (read under the lock, not written), written, and commuted. */
export const noWrite = 0;
export const hasWrite = 1;
/**
 * A number to be added at commit (`commute`): the entry's cell is not locked yet and was not
 * read for it; the commit locks it, reads the committed number under the lock and adds.
 */
export const commuted = 2;
/** An entry whose commute was rolled back: its cell is not locked (lockCell takes it then). */
export const unlocked = 3;
/** Write sets up to this size are searched by a scan of their units (cheaper than a Map). */
const scannedEntriesMax = 8;
/** Sizes of the arrays of a new log (they double as an attempt needs more). */
const readsInitial = 64;
const entriesInitial = 16;

/** An entry's state before a write under an open checkpoint: a rollback restores it. */
export interface UndoRecord {
  index: number;
  state: number;
  value: bigint;
  delta: number;
}

/** A copy of `array` with room for at least `length` elements (doubling, up to `cap`). */
function grown<Typed extends Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer>>(
  array: Typed,
  length: number,
  cap = Infinity,
): Typed {
  const make = array.constructor as new (length: number) => Typed;
  const next = new make(Math.max(length, Math.min(array.length * 2, cap)));
  (next as { set(source: Typed): void }).set(array);
  return next;
}

/**
 * Words (cell versions and values) kept by the engine between loading and storing them. A plain
 * array holds the BigInt that the load made; a BigInt64Array would make a new one on every read
 * (an allocation each), and an attempt reads its entries several times.
 */
function wordArray(length: number): bigint[] {
  return new Array<bigint>(length).fill(0n);
}

/** Makes room for index `length - 1` in each of `arrays` (doubling). */
function growWords(arrays: readonly bigint[][], length: number): void {
  for (const array of arrays) {
    const size = Math.max(length, array.length * 2);
    while (array.length < size) array.push(0n);
  }
}

export class AttemptLog {
  /** Cells one transaction may read, and write or lock (the host's limits). */
  readonly readSetMax: number;
  readonly writeSetMax: number;
  readonly #discardUnpublished: (word: bigint) => void;

  /** Reads of the attempt (counted whether logged or not). */
  reads = 0;
  /** Reads in the read log (all reads, once the attempt records). */
  logged = 0;
  readTwords: Int32Array<ArrayBuffer> = new Int32Array(readsInitial);
  readonly readVersions = wordArray(readsInitial);

  /** Write-set entries, in the order their cells were first locked or commuted. */
  entries = 0;
  wTwords: Int32Array<ArrayBuffer> = new Int32Array(entriesInitial);
  readonly wOldVersion = wordArray(entriesInitial);
  readonly wOldValue = wordArray(entriesInitial);
  readonly wNewValue = wordArray(entriesInitial);
  wState: Uint8Array<ArrayBuffer> = new Uint8Array(entriesInitial);
  /** The number each `commuted` entry adds. */
  wDelta: Float64Array<ArrayBuffer> = new Float64Array(entriesInitial);
  /** Entry index by cell, kept only for write sets larger than `scannedEntriesMax`. */
  readonly #writeIndex = new Map<number, number>();
  /** Locks this attempt holds (entries that are not `commuted`). */
  locked = 0;
  /** Entries up to this one may hold this attempt's intent (commit step 2 got that far). */
  intentsPlaced = 0;

  /**
   * Open checkpoints (orElse branches, nested `atomically`), innermost last: for each, the
   * lengths of the undo log and of the three action lists when it opened (four numbers).
   */
  readonly marks: number[] = [];
  /** Entries' previous states, undone when a checkpoint rolls back. */
  readonly undo: UndoRecord[] = [];
  /** Run once if the transaction commits (after it is visible), or if the attempt aborts. */
  commitActions: (() => void)[] = [];
  abortActions: (() => void)[] = [];
  /** Given this attempt's commit stamps at its serialisation point (commit.ts), in order. */
  stampActions: ((stamp: number) => void)[] = [];

  constructor(readSetMax: number, writeSetMax: number, discardUnpublished: (word: bigint) => void) {
    this.readSetMax = readSetMax;
    this.writeSetMax = writeSetMax;
    this.#discardUnpublished = discardUnpublished;
    // The log is checked against its limit only when it grows: it never holds more.
    if (readSetMax < this.readTwords.length) this.readTwords = new Int32Array(readSetMax);
  }

  // ---------------------------------------------------------------- read log

  logRead(tword: number, version: bigint): void {
    const at = this.logged;
    if (at >= this.readTwords.length) this.#growReads(at);
    this.readTwords[at] = tword;
    this.readVersions[at] = version;
    this.logged = at + 1;
  }

  #growReads(at: number): void {
    if (at >= this.readSetMax) {
      throw new LimitExceededError(
        'txReadSetMax',
        `a transaction may read at most ${String(this.readSetMax)} cells; ` +
          'split it into smaller transactions',
      );
    }
    this.readTwords = grown(this.readTwords, at + 1, this.readSetMax);
    growWords([this.readVersions], at + 1);
  }

  /** Forgets the read log (the transaction ended for good: a `retry` no longer needs it). */
  forgetReads(): void {
    this.reads = 0;
    this.logged = 0;
  }

  // ---------------------------------------------------------------- write set

  /** The write-set entry of cell `tword`, if this attempt has locked (or commuted) it. */
  entryOf(tword: number): number | undefined {
    const entries = this.entries;
    if (entries > scannedEntriesMax) return this.#writeIndex.get(tword);
    const units = this.wTwords;
    for (let index = 0; index < entries; index += 1) {
      if (units[index] === tword) return index;
    }
    return undefined;
  }

  /** A new entry for cell `tword` (state `noWrite`); the caller checked `writeSetMax`. */
  addEntry(tword: number): number {
    const index = this.entries;
    if (index >= this.wTwords.length) this.#growEntries(index);
    this.wTwords[index] = tword;
    this.wState[index] = noWrite;
    this.entries = index + 1;
    if (index >= scannedEntriesMax) this.#indexEntry(tword, index);
    return index;
  }

  /** Before a lock is taken (none is left without its entry): a typed error, nothing committed. */
  refuseWriteSet(): never {
    throw new LimitExceededError(
      'txWriteSetMax',
      `a transaction may write or lock at most ${String(this.writeSetMax)} cells; ` +
        'split it into smaller transactions',
    );
  }

  #growEntries(index: number): void {
    assert(index < this.writeSetMax, 'the write set grew past its checked limit');
    this.wTwords = grown(this.wTwords, index + 1);
    growWords([this.wOldVersion, this.wOldValue, this.wNewValue], index + 1);
    this.wState = grown(this.wState, index + 1);
    const deltas = new Float64Array(this.wState.length);
    deltas.set(this.wDelta);
    this.wDelta = deltas;
  }

  /** Write sets larger than `scannedEntriesMax` are searched through a map. */
  #indexEntry(tword: number, index: number): void {
    if (index === scannedEntriesMax) {
      for (let at = 0; at <= index; at += 1) this.#writeIndex.set(this.wTwords[at] ?? 0, at);
    } else {
      this.#writeIndex.set(tword, index);
    }
  }

  /** Frees the values the attempt wrote and never published (it aborted). */
  discardWrites(): void {
    for (let index = 0; index < this.entries; index += 1) {
      if (this.wState[index] === hasWrite) this.#discardUnpublished(this.wNewValue[index] ?? 0n);
    }
    for (const undone of this.undo) {
      if (undone.state === hasWrite) this.#discardUnpublished(undone.value);
    }
  }

  /** Empties the write set and the checkpoints (the attempt ended); the read log stays. */
  endAttempt(): void {
    this.intentsPlaced = 0;
    if (this.entries > scannedEntriesMax) this.#writeIndex.clear();
    this.entries = 0;
    if (this.undo.length !== 0) this.undo.length = 0;
    if (this.marks.length !== 0) this.marks.length = 0;
    this.locked = 0;
    // Kept across a commit for runCommitActions; an abort emptied both already.
    if (this.abortActions.length !== 0) this.abortActions = [];
    if (this.stampActions.length !== 0) this.stampActions = [];
  }

  // ---------------------------------------------------------------- checkpoints and actions

  /** See TxEngine.checkpoint. */
  checkpoint(): void {
    this.marks.push(
      this.undo.length,
      this.commitActions.length,
      this.abortActions.length,
      this.stampActions.length,
    );
  }

  rollBack(): void {
    const stampMark = this.marks.pop() ?? 0;
    const abortMark = this.marks.pop() ?? 0;
    const commitMark = this.marks.pop() ?? 0;
    const undoMark = this.marks.pop() ?? 0;
    for (let at = this.undo.length - 1; at >= undoMark; at -= 1) {
      const undone = this.undo[at];
      if (undone === undefined) continue;
      if (this.wState[undone.index] === hasWrite) {
        this.#discardUnpublished(this.wNewValue[undone.index] ?? 0n);
      }
      this.wState[undone.index] = undone.state;
      this.wNewValue[undone.index] = undone.value;
      this.wDelta[undone.index] = undone.delta;
    }
    this.undo.length = undoMark;
    this.commitActions.length = commitMark;
    this.stampActions.length = stampMark;
    this.runAbortActions(abortMark);
  }

  keep(): void {
    this.marks.length -= 4;
    if (this.marks.length > 0) return;
    // The outermost checkpoint closed: values its writes replaced are garbage now.
    for (const kept of this.undo) {
      if (kept.state === hasWrite) this.#discardUnpublished(kept.value);
    }
    this.undo.length = 0;
  }

  runCommitActions(): void {
    const actions = this.commitActions;
    if (actions.length === 0) return;
    this.commitActions = [];
    for (const action of actions) action();
  }

  /** Runs (newest first) and drops the abort actions registered from index `from` on. */
  runAbortActions(from: number): void {
    const actions = this.abortActions;
    if (actions.length <= from) return;
    const run = actions.splice(from);
    for (let at = run.length - 1; at >= 0; at -= 1) run[at]?.();
  }
}
