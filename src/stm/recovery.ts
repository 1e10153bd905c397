/**
 * Recovery of a dead worker's transaction (run before its slot is given back, reclaim/recovery.ts):
 * an undecided attempt is aborted, a decided one finished, and either way every intent it left
 * is resolved and its log block retired. Everything here is a CAS from an exact old word or a
 * repeat of one, so recovery may run twice, or race with helpers, and change nothing the second
 * time. Locks it held need nothing: a lock of a finished attempt is free (words.ts).
 *
 * The new values of an aborted attempt were never published: whoever retires the log frees them
 * too. The log's count is non-zero only while an attempt is in its commit phase (the owner sets it
 * after writing the entries and clears it when the attempt ends, before freeing those values
 * itself), so a count found with an aborted status belongs to that very attempt, and the CAS that
 * takes the log makes its values freed exactly once. A worker that died holding new values not
 * yet logged (in user code) leaks them: at most one transaction's.
 */
import { currentHandleAt } from '../alloc/index.js';
import { crashPoint, limits } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import type { ReclaimParticipant } from '../reclaim/index.js';
import { isIntentWord } from '../values/index.js';
import { twordValue } from './tword.js';
import type { ConflictResolver } from './conflicts.js';
import { readLogEntry, recordField, type TxRecords } from './tx-record.js';
import { statusSeq, statusState, statusWord, TxState } from './words.js';

export interface RecoveryHost {
  readonly memory: HeapMemory;
  readonly records: TxRecords;
  readonly resolver: ConflictResolver;
  readonly reclaim: ReclaimParticipant;
  dropWord(word: bigint): void;
  /** Frees a word that was never published (its blocks and the references it holds). */
  discardUnpublished(word: bigint): void;
}

export function recoverTransaction(host: RecoveryHost, slot: number): void {
  const { memory, records, resolver } = host;
  const { i32, b64 } = memory;
  const statusIndex = records.word(slot, recordField.status);
  let status = Atomics.load(i32, statusIndex);
  const seq = statusSeq(status);
  const state = statusState(status);
  if (state === TxState.active || state === TxState.inevitable) {
    // Dead before deciding: abort (even an inevitable attempt: nobody will ever finish it).
    Atomics.compareExchange(i32, statusIndex, status, statusWord(seq, TxState.aborted));
    status = Atomics.load(i32, statusIndex);
  }
  const logUnit = Atomics.load(i32, records.word(slot, recordField.logUnit));
  const count = Math.min(
    Atomics.load(i32, records.word(slot, recordField.logCount)),
    limits.txWriteSetMax,
  );
  if (logUnit !== 0 && statusSeq(status) === seq) {
    for (let index = 0; index < count; index += 1) {
      const { tword } = readLogEntry(memory, logUnit, index);
      const word = Atomics.load(b64, twordValue(tword));
      if (isIntentWord(word)) resolver.resolveFinished(tword, word);
    }
    // Every intent resolved, the status and the log not yet: a recoverer dying here leaves
    // both to the next one (whoever calls recoverTransaction for this slot again).
    crashPoint('recover.midTransaction');
    const committing = statusWord(seq, TxState.committing);
    const committed = statusWord(seq, TxState.committed);
    // Whoever moves the status to committed retires the old values: exactly once.
    if (Atomics.compareExchange(i32, statusIndex, committing, committed) === committing) {
      for (let index = 0; index < count; index += 1) {
        host.dropWord(readLogEntry(memory, logUnit, index).oldValue);
      }
    }
  }
  // The log block: retire it (a helper may still be reading it), once.
  const logUnitIndex = records.word(slot, recordField.logUnit);
  if (logUnit !== 0 && Atomics.compareExchange(i32, logUnitIndex, logUnit, 0) === logUnit) {
    const final = Atomics.load(i32, statusIndex);
    if (statusSeq(final) === seq && statusState(final) === TxState.aborted) {
      for (let index = 0; index < count; index += 1) {
        host.discardUnpublished(readLogEntry(memory, logUnit, index).newValue);
      }
    }
    Atomics.store(i32, records.word(slot, recordField.logCount), 0);
    host.reclaim.retireBlock(currentHandleAt(i32, logUnit));
  }
}
