/**
 * `heap.stats()`: the transaction counters of every worker slot (stats.ts), summed, plus each
 * slot's own. Plain reads of counters other workers are writing: a running figure may be a
 * moment old; none goes backwards.
 */
import { limits } from '../base/index.js';
import type { HeapMemory } from '../memory/index.js';
import { statField, type StatField } from './stats.js';
import { recordSlot, TxRecords } from './tx-record.js';

export type WorkerTxStats = Readonly<Record<StatField, number>> & {
  /** All aborts, whatever their kind (`retry` sleeps and read-only upgrades not included). */
  readonly aborts: number;
};

export interface TxStats extends WorkerTxStats {
  /** Per worker slot that has ever run a transaction. */
  readonly bySlot: readonly (WorkerTxStats & { readonly slot: number })[];
}

const abortFields: readonly StatField[] = [
  'abortsWriteWrite',
  'abortsWriteRead',
  'abortsInevitable',
  'abortsPreempted',
  'abortsNeutralised',
  'abortsException',
];

function slotStats(f64: Float64Array, base: number): WorkerTxStats {
  const entries = Object.entries(statField).map(([name, offset]) => [
    name,
    f64[base + offset] ?? 0,
  ]);
  const stats = Object.fromEntries(entries) as Record<StatField, number>;
  const aborts = abortFields.reduce((sum, field) => sum + stats[field], 0);
  return { ...stats, aborts };
}

export function readStats(memory: HeapMemory): TxStats {
  const records = new TxRecords(memory);
  const bySlot: (WorkerTxStats & { slot: number })[] = [];
  const totals = Object.fromEntries(Object.keys(statField).map((name) => [name, 0])) as Record<
    StatField,
    number
  >;
  let aborts = 0;
  for (let slot = 0; slot < limits.workerSlotsMax; slot += 1) {
    const stats = slotStats(memory.f64, records.slot64(slot, recordSlot.statsFirst));
    const attempts = stats.commits + stats.aborts + stats.retries + stats.upgrades;
    if (attempts === 0 && stats.waits === 0) continue;
    bySlot.push({ ...stats, slot });
    for (const name of Object.keys(statField) as StatField[]) {
      totals[name] =
        name === 'attemptsMax' ? Math.max(totals[name], stats[name]) : totals[name] + stats[name];
    }
    aborts += stats.aborts;
  }
  return { ...totals, aborts, bySlot };
}
