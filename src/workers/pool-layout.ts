/**
 * The control memory of one worker pool: a `SharedArrayBuffer` of its own (not in the heap: it
 * lives and dies with the pool, and a call costs no heap allocation). It holds the call records,
 * the ring of queued record indexes the workers claim from, and one ring per worker of records
 * it finished, which only the caller's thread reads.
 *
 * Header, in 32-bit words:
 *
 * | word | field       | atomic | written by                 | invariant                            |
 * |------|-------------|--------|----------------------------|--------------------------------------|
 * | 0    | queueTail   | yes    | caller (one producer)      | queueHead ≤ queueTail ≤ head + recs  |
 * | 1    | queueHead   | yes    | workers (CAS)              | only grows (mod 2^32)                |
 * | 2    | sleepers    | yes    | workers                    | workers inside Atomics.wait on tail  |
 * | 3    | doneSignal  | yes    | workers (add)              | grows each time a record is finished |
 * | 4    | callerWaits | yes    | caller                     | 1 while the caller may sleep on 3    |
 * | 5    | closing     | yes    | caller                     | 0 → 1 once                           |
 * | 6–7  | (spare)     |        |                            |                                      |
 *
 * Then `queue`: `records` words, record indexes in claim order (slot = position mod records).
 * Then per worker index w (`workers` of them): word `doneTail(w)`, then `records` words of
 * finished record indexes (written by w; read by the caller, whose head is local).
 * Then the records, `recordBytes` each, 8-byte aligned:
 *
 * | bytes | field     | atomic | written by                   | meaning                          |
 * |-------|-----------|--------|------------------------------|----------------------------------|
 * | 0     | state     | yes    | caller (free/queued), worker | a `RecordState`                  |
 * | 4     | worker    | no*    | worker, before state         | worker index that claimed it     |
 * | 8     | startedAt | no*    | worker, before state=running | Date.now() when the call began   |
 * | 16    | payload   | no*    | caller (args), worker (out)  | payload-codec.ts                 |
 *
 * (*) plain, published by the atomic store of `state` after them (ORDERING notes in pool.ts).
 * A record is owned by one party at a time: free/queued → caller; claimed/running → its
 * worker; done → caller again.
 */
import { recordPayloadBytes } from './limits.js';

export const RecordState = {
  free: 0,
  queued: 1,
  claimed: 2,
  running: 3,
  doneOk: 4,
  doneError: 5,
} as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

export const headerWords = 8;
export const word = {
  queueTail: 0,
  queueHead: 1,
  sleepers: 2,
  doneSignal: 3,
  callerWaits: 4,
  closing: 5,
} as const;

export const recordField = { state: 0, worker: 4, startedAt: 8, payload: 16 } as const;
export const recordBytes = recordField.payload + recordPayloadBytes;

/** Offsets of one pool's control memory, derived from the table above. */
export class PoolLayout {
  readonly records: number;
  readonly workers: number;
  readonly queueWord: number;
  readonly doneWord0: number;
  readonly doneStrideWords: number;
  readonly recordsByte: number;
  readonly totalBytes: number;

  constructor(records: number, workers: number) {
    this.records = records;
    this.workers = workers;
    this.queueWord = headerWords;
    this.doneWord0 = this.queueWord + records;
    this.doneStrideWords = 1 + records;
    const endWord = this.doneWord0 + workers * this.doneStrideWords;
    this.recordsByte = Math.ceil((endWord * 4) / 8) * 8;
    this.totalBytes = this.recordsByte + records * recordBytes;
  }

  /** The word holding worker w's done-ring tail; its ring follows it. */
  doneTailWord(worker: number): number {
    return this.doneWord0 + worker * this.doneStrideWords;
  }

  recordByte(record: number): number {
    return this.recordsByte + record * recordBytes;
  }

  /** The record's state word (an Int32Array index). */
  stateWord(record: number): number {
    return this.recordByte(record) / 4;
  }
}
