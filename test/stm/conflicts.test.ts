// Preemption aims at the attempt that holds the lock, not at whatever its slot runs now: a waiter
// whose wait expired reads the owner's status only afterwards, and by then that attempt may have
// ended and the slot begun another.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeapMemory } from '../../src/memory/index.js';
import { ConflictResolver } from '../../src/stm/conflicts.js';
import { recordField, TxRecords } from '../../src/stm/tx-record.js';
import { ownerWord, statusWord, TxState } from '../../src/stm/words.js';

function resolverWithStatus(slot: number, status: number): [ConflictResolver, () => number] {
  const memory = HeapMemory.create(4 << 20);
  const records = new TxRecords(memory);
  const statusIndex = records.word(slot, recordField.status);
  Atomics.store(memory.i32, statusIndex, status);
  return [new ConflictResolver(memory, records), () => Atomics.load(memory.i32, statusIndex)];
}

describe('preempting a lock owner', () => {
  const slot = 5;
  const seq = 1234;

  it('aborts the attempt that holds the lock while it is active', () => {
    const [resolver, status] = resolverWithStatus(slot, statusWord(seq, TxState.active));
    assert.equal(resolver.preemptOwner(ownerWord(slot, seq)), true);
    assert.equal(status(), statusWord(seq, TxState.aborted));
  });

  it('leaves a later attempt of the same slot alone (the lock is already free)', () => {
    const [resolver, status] = resolverWithStatus(slot, statusWord(seq + 1, TxState.active));
    assert.equal(resolver.preemptOwner(ownerWord(slot, seq)), true);
    assert.equal(status(), statusWord(seq + 1, TxState.active));
  });

  it('never aborts a committing or inevitable owner', () => {
    for (const state of [TxState.committing, TxState.inevitable]) {
      const [resolver, status] = resolverWithStatus(slot, statusWord(seq, state));
      assert.equal(resolver.preemptOwner(ownerWord(slot, seq)), false);
      assert.equal(status(), statusWord(seq, state));
    }
  });

  it('matches the owner word carrying the contended bit', () => {
    const [resolver, status] = resolverWithStatus(slot, statusWord(seq, TxState.active));
    assert.equal(resolver.preemptOwner(ownerWord(slot, seq) | 1), true);
    assert.equal(status(), statusWord(seq, TxState.aborted));
  });
});
