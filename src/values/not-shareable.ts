/**
 * Why a value cannot be stored, and where it sits in what was stored.
 *
 * The snapshot writer validates recursively; a failure deep inside is thrown as a `PathFailure`
 * and each container frame it unwinds through adds its own key, so the path costs nothing unless
 * something fails. The codec turns it into the public `NotShareableError` with a path in the
 * house form: `value`, `value.a[3].b`, `value["weird key"]`.
 */
import { NotShareableError } from '../base/index.js';

export type PathSegment = string | number;

/** A value that cannot be stored, and the keys from it up to the root, innermost first. */
export class PathFailure extends Error {
  readonly reason: string;
  readonly segments: PathSegment[];

  constructor(reason: string, segments: PathSegment[] = []) {
    super(reason);
    this.name = 'PathFailure';
    this.reason = reason;
    this.segments = segments;
  }
}

/** Adds the key a container frame was working on to a failure unwinding through it. */
export function withSegment(error: unknown, segment: PathSegment): unknown {
  if (error instanceof PathFailure) error.segments.push(segment);
  return error;
}

const identifierPattern = /^[A-Za-z_$][\w$]*$/;

/** `value` followed by each segment, root first. */
export function formatPath(innermostFirst: readonly PathSegment[]): string {
  let path = 'value';
  for (let index = innermostFirst.length - 1; index >= 0; index -= 1) {
    const segment = innermostFirst[index] ?? '';
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (identifierPattern.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

export function toNotShareableError(failure: PathFailure): NotShareableError {
  return new NotShareableError(formatPath(failure.segments), failure.reason);
}

/** The reason an object that is neither a plain object, a plain array nor shared is refused. */
export function reasonForObject(value: object): string {
  if (value instanceof Map) return 'a Map is not stored by value: use heap.map() for a shared map';
  if (value instanceof Set) return 'a Set is not stored by value: use heap.set() for a shared set';
  if (value instanceof WeakMap || value instanceof WeakSet || value instanceof WeakRef) {
    return 'a weak collection or reference cannot be shared';
  }
  if (value instanceof Date) return 'a Date is not stored: store date.getTime() or an ISO string';
  if (value instanceof RegExp) return 'a RegExp is not stored: store its source and flags';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    return 'a typed array or buffer is not stored: copy it into a plain array or use heap.array()';
  }
  if (value instanceof SharedArrayBuffer) return 'a SharedArrayBuffer is not stored';
  if (value instanceof Promise) return 'a Promise cannot be shared';
  if (value instanceof Error) return 'an Error is not stored: store its message';
  if (
    value instanceof Number ||
    value instanceof String ||
    value instanceof Boolean ||
    value instanceof BigInt ||
    value instanceof Symbol
  ) {
    return 'a boxed primitive is not stored: store the primitive itself';
  }
  if (Array.isArray(value)) {
    return 'an array whose prototype is not Array.prototype (a subclass or another realm)';
  }
  return `${describeInstance(value)}: only plain objects and arrays and shared objects are stored`;
}

function describeInstance(value: object): string {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null || typeof prototype !== 'object') return 'an exotic object';
  const constructor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  if (typeof constructor === 'function' && constructor.name !== '') {
    return `an instance of ${constructor.name}`;
  }
  return 'an object whose prototype is not Object.prototype or null';
}

export function reasonForPrimitive(type: string): string {
  return type === 'function' ? 'a function cannot be shared' : `a ${type} cannot be shared`;
}
