/**
 * The naive-retry contention policy (contention.ts), for benchmarks only: the baseline that shows
 * what wait-die buys (bench/stm.bench.ts, mode 'naive'). A conflict aborts the attempt and reruns
 * it at once — no waiting by age, no sleeping on the cell after an abort, no hot cells, no
 * escalation to inevitable. Only an inevitable attempt (one that called `inevitable()`) still
 * waits for a lock, since it cannot abort. Chosen by `EngineHost.contention: 'naive'`, or for a
 * benchmark worker by `useNaiveContention()` before its heap is attached.
 */
import type { PendingWait } from './attempt.js';
import type { LockState } from './conflicts.js';
import { Contention } from './contention.js';

export class NaiveRetry extends Contention {
  escalates(): boolean {
    return false;
  }

  staleRead(tword: number, writer: number): never {
    return this.attempt.fail('write-read', tword, 0, writer);
  }

  waitAfterAbort(): void {
    // Reruns at once.
  }

  pendingLockWait(): PendingWait | undefined {
    return undefined;
  }

  endTransaction(): void {
    // No hot cells to forget.
  }

  protected conflict(tword: number, owner: number, state: LockState, deadline: number): boolean {
    if (!this.attempt.inevitable) this.giveWay(tword, owner, state);
    return this.waitOnLock(tword, owner, state, deadline);
  }

  protected lockHeld(): void {
    // No hot cells to keep.
  }
}
