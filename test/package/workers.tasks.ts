// Functions the package test of the worker pool and the transaction queue runs in pool workers.
import type { SharedMap, TaskContext } from 'shared-objects';

export function add(a: number, b: number): number {
  return a + b;
}

export function bump({ heap }: TaskContext, key: number): void {
  const counts = heap.root.get('counts') as SharedMap<number, number>;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
