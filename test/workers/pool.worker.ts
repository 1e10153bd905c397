// Functions the pool tests call in pool workers.
import type { SharedMap } from '../../src/index.js';

export function add(a: number, b: number): number {
  return a + b;
}

export function echo(value: unknown): unknown {
  return value;
}

export async function later(value: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return value * 2;
}

export function fail(message: string): never {
  throw new RangeError(message);
}

export function exit(): never {
  process.exit(3);
}

export function spin(): never {
  for (;;) {
    // An infinite loop: only a timeout ends it.
  }
}

export function put(map: SharedMap<string, number>, key: string, value: number): number {
  map.set(key, value);
  return map.size;
}
