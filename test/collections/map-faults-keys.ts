// The keys of map-faults.test.ts, shared by the test and its worker (a worker module cannot be
// imported by the test: its top level runs the worker).

/** The key of insert `n` of worker `index`. */
export const faultKey = (index: number, n: number): string => `w${String(index)} ${String(n)}`;

/** The older key that insert `n` also deletes, if any. */
export const deletedBy = (n: number): number | undefined =>
  n % 10 === 0 && n >= 5 ? n - 5 : undefined;
