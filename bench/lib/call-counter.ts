// Counts calls of the global `Atomics` methods (per method and per kind of typed array), of
// `performance.now()` and of `BigInt()`, by replacing them with counting wrappers while installed.
// The library looks these up on the global object at every call (no module keeps a method in a
// variable: `grep -rn '= Atomics' src` finds none), so the wrappers see every call it makes.
//
// For counting only. A wrapper is a JS call around the builtin and defeats any inlining, so time
// nothing while one is installed; docs/decisions/0009-atomics-budget.md uses the counts and times
// the operations separately (bench/atomics-cost.ts).
//
// What it cannot see: plain typed-array reads and writes (`b64[i]`, `f64[i] += 1`), BigInt
// literals and arithmetic (`x += 1n`). Those are found by reading the code, and their BigInts by
// measuring bytes allocated (bench/atomics-count.ts).

/** The `Atomics` methods that touch memory or wake threads; each is counted by name. */
export const atomicsMethods = [
  'load',
  'store',
  'compareExchange',
  'exchange',
  'add',
  'sub',
  'and',
  'or',
  'xor',
  'wait',
  'notify',
] as const;
export type AtomicsMethod = (typeof atomicsMethods)[number];

/** One counted call, in call order (only while tracing). */
export interface TraceEntry {
  /** `Atomics.<method>`, `performance.now` or `BigInt`. */
  readonly call: string;
  /** The typed array's kind (`Int32Array`, `BigInt64Array`, …) or '' for non-Atomics calls. */
  readonly kind: string;
  /** Element index of an Atomics call, else -1. */
  readonly index: number;
  /** The caller: `function (file:line)` of the first stack frame outside this file. */
  readonly site: string;
}

type Method = (...args: unknown[]) => unknown;

/** `Int32Array`, `BigInt64Array`, …, with ' (unshared)' for a view of a plain ArrayBuffer. */
function kindOf(array: unknown): string {
  if (!ArrayBuffer.isView(array)) return 'not a typed array';
  const name = array.constructor.name;
  return array.buffer instanceof SharedArrayBuffer ? name : `${name} (unshared)`;
}

const thisFile = 'call-counter.ts';

/** The first frame of the current stack outside this file, as `function (file:line)`. */
function callSite(): string {
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n').slice(1)) {
    if (line.includes(thisFile)) continue;
    const match = /at (?:(.+?) \()?(?:.*\/)?([^/():]+):(\d+):\d+\)?$/.exec(line.trim());
    if (match === null) return line.trim();
    return `${match[1] ?? '<anonymous>'} (${match[2] ?? '?'}:${match[3] ?? '?'})`;
  }
  return '?';
}

export class CallCounter {
  /** Calls by key: `Atomics.load Int32Array`, `performance.now`, `BigInt`. */
  readonly counts = new Map<string, number>();
  /** Every call in order while `tracing` is true. */
  readonly trace: TraceEntry[] = [];
  tracing = false;
  #installed = false;
  readonly #originals = new Map<AtomicsMethod, Method>();
  /** `performance`'s own `now` property before install (none on Node 20–26: it is inherited). */
  #ownNow: PropertyDescriptor | undefined;
  #originalBigInt: BigIntConstructor | undefined;

  /** Replaces the global methods with counting wrappers (idempotent). */
  install(): void {
    if (this.#installed) return;
    this.#installed = true;
    const atomics = Atomics as unknown as Record<AtomicsMethod, Method>;
    for (const method of atomicsMethods) {
      const original = atomics[method];
      this.#originals.set(method, original);
      const call = `Atomics.${method}`;
      atomics[method] = (...args: unknown[]): unknown => {
        this.#note(call, kindOf(args[0]), typeof args[1] === 'number' ? args[1] : -1);
        return Reflect.apply(original, Atomics, args);
      };
    }
    // performance.now lives on Performance.prototype; an own property of the instance shadows it.
    this.#ownNow = Object.getOwnPropertyDescriptor(performance, 'now');
    const originalNow = performance.now.bind(performance);
    performance.now = (): number => {
      this.#note('performance.now', '', -1);
      return originalNow();
    };
    const originalBigInt = globalThis.BigInt;
    this.#originalBigInt = originalBigInt;
    const note = (): void => {
      this.#note('BigInt', '', -1);
    };
    // A function, not a class: BigInt is called, never constructed. Its statics come along.
    const counted = function BigInt(value: bigint | boolean | number | string): bigint {
      note();
      return originalBigInt(value);
    };
    counted.asIntN = originalBigInt.asIntN.bind(originalBigInt);
    counted.asUintN = originalBigInt.asUintN.bind(originalBigInt);
    counted.prototype = originalBigInt.prototype;
    globalThis.BigInt = counted;
  }

  /** Puts the builtins back (idempotent). */
  uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    const atomics = Atomics as unknown as Record<AtomicsMethod, Method>;
    for (const [method, original] of this.#originals) atomics[method] = original;
    this.#originals.clear();
    // Deleting the wrapper uncovers the prototype's method again.
    if (this.#ownNow === undefined) Reflect.deleteProperty(performance, 'now');
    else Object.defineProperty(performance, 'now', this.#ownNow);
    if (this.#originalBigInt !== undefined) globalThis.BigInt = this.#originalBigInt;
  }

  reset(): void {
    this.counts.clear();
    this.trace.length = 0;
  }

  /** Calls counted under `key` (see `counts`), 0 if none. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Every Atomics call counted, of any method and kind. */
  atomicsTotal(): number {
    let total = 0;
    for (const [key, calls] of this.counts) if (key.startsWith('Atomics.')) total += calls;
    return total;
  }

  #note(call: string, kind: string, index: number): void {
    const key = kind === '' ? call : `${call} ${kind}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.tracing) this.trace.push({ call, kind, index, site: callSite() });
  }
}
