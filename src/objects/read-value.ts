/**
 * Reading a transactional word's value as a JavaScript value, for every kind of shared object
 * (a cell's one word, a map's entries, an array's slots, a struct's fields). Decoding follows a
 * word to immutable blocks (strings, bigints, snapshots) and shared objects that other workers
 * may retire at any moment, so it is trusted only if reclamation still covered this worker at
 * its end: a worker neutralised meanwhile (reclaim/epoch.ts) may have decoded a freed block,
 * and a reference may name an object destroyed right after the read. Both make the read redone:
 * outside a transaction here, inside one by aborting the attempt.
 */
import { BugError, limits } from '../base/index.js';
import type { TxEngine } from '../stm/index.js';
import { twordValue } from '../stm/index.js';
import { isIntentWord } from '../values/index.js';
import { ReferenceDied, type HeapContext } from './context.js';

const redo: unique symbol = Symbol('redo');

/**
 * The committed value of the word at `tword`, read outside a transaction: one atomic load of the
 * value word (its linearisation point) unless it holds an intent — a commit in progress, which
 * the reader resolves (helps, undoes or waits for) before reading again.
 */
export function readOutside(context: HeapContext, tword: number): unknown {
  context.reclaim.enter();
  // ORDERING: pairs with the CAS that published the word (and the block it names).
  const word = Atomics.load(context.memory.b64, twordValue(tword));
  if (!context.codec.mayHoldBlock(word)) return context.codec.decode(word);
  for (let attempt = 0; attempt < limits.neutralisedRedoMax; attempt += 1) {
    if (attempt > 0) context.reclaim.enter();
    const read = decodeAlone(context, committedWord(context, tword));
    if (read !== redo) return read;
  }
  return decodeAlone(context, committedWord(context, tword));
}

function committedWord(context: HeapContext, tword: number): bigint {
  const { memory, engine } = context;
  for (let attempt = 0; attempt < limits.txAttemptsMax; attempt += 1) {
    const word = Atomics.load(memory.b64, twordValue(tword));
    if (!isIntentWord(word)) return word;
    engine.meetIntent(tword, word);
  }
  throw new BugError(`transactional word ${String(tword)} never left its intents`);
}

/** Decodes a word read outside a transaction, or `redo` if the read cannot be trusted. */
function decodeAlone(context: HeapContext, word: bigint): unknown {
  const { codec, reclaim } = context;
  let value: unknown;
  try {
    value = codec.decode(word);
  } catch (error) {
    if (error instanceof ReferenceDied) return redo;
    if (reclaim.stillValid()) throw error;
    return redo;
  }
  return reclaim.stillValid() ? value : redo;
}

/**
 * Decodes `word`, which the running attempt read from the word at `tword`; a decoding that
 * cannot be trusted aborts the attempt (it reruns).
 */
export function decodeInTransaction(
  context: HeapContext,
  engine: TxEngine,
  tword: number,
  word: bigint,
): unknown {
  const { codec, reclaim } = context;
  if (!codec.mayHoldBlock(word)) return codec.decode(word);
  if (engine.inevitable) {
    // An inevitable attempt has locked every word it reads, so no block it decodes can be
    // retired under it, neutralised or not; and it must not rerun (code after inevitable()
    // may have had side effects). Only rejoin the epochs if neutralised.
    const value = codec.decode(word);
    reclaim.stillValid();
    return value;
  }
  let value: unknown;
  try {
    value = codec.decode(word);
  } catch (error) {
    if (error instanceof ReferenceDied) engine.fail('write-read', tword);
    if (reclaim.stillValid()) throw error;
    engine.fail('neutralised');
  }
  if (!reclaim.stillValid()) engine.fail('neutralised');
  return value;
}
