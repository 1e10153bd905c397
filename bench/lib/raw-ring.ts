// The raw MPMC ring of the channel suite's bound rows (its layout: workers/raw-ring.worker.ts).

export const ringCapacity = 1024;
export const ringBytes = 256 + ringCapacity * 16;

export interface RawRingParams {
  readonly role: 'produce' | 'consume' | 'ping' | 'pong';
  readonly buffer: SharedArrayBuffer;
  readonly count: number;
}

/** Slot sequences start at their index: every slot free for the first lap. */
export function formatRing(buffer: SharedArrayBuffer): void {
  const i32 = new Int32Array(buffer);
  for (let k = 0; k < ringCapacity; k += 1) i32[64 + 4 * k] = k;
}
