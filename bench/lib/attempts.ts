// Attempts per transaction, counted by the benchmark itself: the transaction function counts its
// own runs, so every rerun (abort, upgrade, retry) shows, whatever the engine's statistics say.

/** Runs counted exactly up to this many; more land in the last bucket. */
const bucketsMax = 1024;

export class AttemptHistogram {
  readonly counts = new Float64Array(bucketsMax + 1);

  add(attempts: number): void {
    const bucket = Math.min(attempts, bucketsMax);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
  }

  reset(): void {
    this.counts.fill(0);
  }

  /** Summary of several workers' histograms (from `counts` sent by each). */
  static summarise(all: readonly (readonly number[])[]): AttemptSummary {
    const merged = new Float64Array(bucketsMax + 1);
    for (const counts of all) {
      counts.forEach((count, bucket) => {
        merged[bucket] = (merged[bucket] ?? 0) + count;
      });
    }
    let transactions = 0;
    let attempts = 0;
    let max = 0;
    merged.forEach((count, bucket) => {
      transactions += count;
      attempts += count * bucket;
      if (count > 0) max = bucket;
    });
    const p99Rank = Math.ceil(transactions * 0.99);
    let seen = 0;
    let p99 = 0;
    for (let bucket = 0; bucket <= bucketsMax; bucket += 1) {
      seen += merged[bucket] ?? 0;
      if (seen >= p99Rank) {
        p99 = bucket;
        break;
      }
    }
    return {
      transactions,
      abortRate: transactions === 0 ? 0 : (attempts - transactions) / attempts,
      p99,
      max,
    };
  }
}

export interface AttemptSummary {
  readonly transactions: number;
  /** Aborted attempts / all attempts. */
  readonly abortRate: number;
  /** 99th percentile of attempts per transaction. */
  readonly p99: number;
  readonly max: number;
}
