/**
 * Transactional words that hold numbers (lengths, links, table words, counts), as the
 * collections read and write them: inside the caller's transaction, or — for heuristics that
 * need no exact figure — the committed value with one atomic load and no transaction.
 */
import { twordValue, type TxEngine } from '../stm/index.js';
import { numberOfWord, numberWord } from '../values/index.js';

/** The number in `tword`, read in the transaction (0 if it holds no number). */
export function readNumber(engine: TxEngine, tword: number): number {
  return numberOfWord(engine.read(tword)) ?? 0;
}

/** Writes `value` to `tword` in the transaction (locking it). */
export function writeNumber(engine: TxEngine, tword: number, value: number): void {
  engine.setValue(engine.lockCell(tword), numberWord(value));
}

/** The number `tword` holds now, outside any transaction (0 during a commit or if no number). */
export function committedNumber(b64: BigInt64Array, tword: number): number {
  return numberOfWord(Atomics.load(b64, twordValue(tword))) ?? 0;
}
