// The functions of the workers benchmark: a tiny call (add two numbers) for our pool and for
// piscina (which passes one argument), and a tiny task for the TransactionQueue.
export function add(a: number, b: number): number {
  return a + b;
}

export function addPair({ a, b }: { a: number; b: number }): number {
  return a + b;
}

export function nothing(): void {
  // A tiny task: what is measured is the queue.
}
