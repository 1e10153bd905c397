// The STM's layout tables (cell block, transaction record, stats) and its word encodings: fields
// where the tables say, nothing overlapping, encodings that round-trip at their extremes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { blockHeaderBytes } from '../../src/alloc/index.js';
import { limits } from '../../src/base/index.js';
import { HeapMemory, txRecordBytes } from '../../src/memory/index.js';
import { intentPayload, intentWord, isIntentWord } from '../../src/values/index.js';
import { cellPayloadBytes, cellTword, cellValueSlot } from '../../src/objects/cell-block.js';
import { refcountWord } from '../../src/objects/lifetime.js';
import {
  twordBytes,
  twordOwner,
  twordSpare,
  twordValue,
  twordVersion,
  twordWatchers,
} from '../../src/stm/tword.js';
import { statField, statFieldCount } from '../../src/stm/stats.js';
import { recordField, recordSlot, TxRecords } from '../../src/stm/tx-record.js';
import {
  intentPayloadOf,
  intentSeqMatches,
  intentSlot,
  ownerSeqMatches,
  ownerSlot,
  ownerWord,
  statusSeq,
  statusState,
  statusWord,
  TxState,
  versionCounter,
  versionSlot,
  versionWord,
} from '../../src/stm/words.js';

describe('transactional word and cell block layouts', () => {
  it('a transactional word: fields where the table says, aligned, within its 32 bytes', () => {
    const tword = 1001;
    const byteOf = {
      spare: twordSpare(tword) * 4,
      owner: twordOwner(tword) * 4,
      value: twordValue(tword) * 8,
      version: twordVersion(tword) * 8,
      watchers: twordWatchers(tword) * 8,
    };
    assert.deepEqual(
      Object.values(byteOf).map((byte) => byte - tword * 8),
      [0, 4, 8, 16, 24],
    );
    assert.equal(byteOf.watchers + 8 - tword * 8, twordBytes);
  });

  it('a cell: the header, then its word, the refcount in the spare half', () => {
    const unit = 1000;
    const base = unit * 8;
    assert.equal(cellTword(unit) * 8 - base, blockHeaderBytes);
    assert.equal(refcountWord(unit), twordSpare(cellTword(unit)));
    assert.equal(cellValueSlot(unit), twordValue(cellTword(unit)));
    assert.equal(cellPayloadBytes, twordBytes);
  });
});

describe('transaction record layout', () => {
  it('fields sit where the table says; stats fit lines 2–3', () => {
    const memory = HeapMemory.create(4 << 20);
    const records = new TxRecords(memory);
    const start = records.word(0, 0) * 4;
    assert.equal(start, memory.geometry.txRecordsOffset);
    assert.equal(start % 64, 0);
    assert.deepEqual(
      Object.values(recordField).map((field) => records.word(0, field) * 4 - start),
      [0, 4, 8, 40, 64, 68],
    );
    assert.deepEqual(
      Object.values(recordSlot).map((field) => records.slot64(0, field) * 8 - start),
      [24, 32, 128],
    );
    assert.equal(records.word(1, 0) * 4 - start, txRecordBytes);
    assert.ok(Object.keys(statField).length <= statFieldCount);
    assert.ok(128 + statFieldCount * 8 <= txRecordBytes);
    const last = records.word(limits.workerSlotsMax - 1, 0) * 4 + txRecordBytes;
    assert.ok(last <= memory.geometry.pageMapOffset);
  });
});

describe('word encodings', () => {
  const slot = fc.integer({ min: 0, max: limits.workerSlotsMax - 1 });
  const seq = fc.integer({ min: 0, max: 0x1fffffff });

  it('status words keep seq and state', () => {
    fc.assert(
      fc.property(seq, fc.constantFrom(...Object.values(TxState)), (s, state) => {
        const word = statusWord(s, state);
        assert.equal(statusSeq(word), s);
        assert.equal(statusState(word), state);
      }),
    );
  });

  it('owner words are never 0 and keep their slot and seq', () => {
    fc.assert(
      fc.property(slot, seq, (k, s) => {
        const word = ownerWord(k, s);
        assert.notEqual(word, 0);
        assert.equal(word & 1, 0);
        assert.equal(ownerSlot(word), k);
        assert.ok(ownerSeqMatches(word, s));
        assert.ok(!ownerSeqMatches(word, s + 1));
      }),
    );
  });

  it('intents are recognised, never numbers, and keep slot and seq', () => {
    fc.assert(
      fc.property(slot, seq, fc.double(), (k, s, number) => {
        const payload = intentPayloadOf(k, s);
        const word = intentWord(payload);
        assert.ok(isIntentWord(word));
        assert.equal(intentPayload(word), payload);
        assert.equal(intentSlot(payload), k);
        assert.ok(intentSeqMatches(payload, s));
        const view = new Float64Array(1);
        view[0] = number;
        const numberBits = new BigInt64Array(view.buffer)[0] ?? 0n;
        assert.ok(!isIntentWord(numberBits) || Number.isNaN(number));
      }),
    );
  });

  it('versions keep counter and slot up to 2^53 and order by counter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), slot, (counter, k) => {
        const word = versionWord(counter, k);
        assert.equal(versionCounter(word), counter);
        assert.equal(versionSlot(word), k);
      }),
    );
    assert.notEqual(versionWord(1, 0), versionWord(0, 1));
  });
});
