/**
 * Shared objects with fields (`heap.object(fields)`): a fixed set of fields, one transactional
 * word each, read and written with plain property syntax — `acct.balance += 5` inside
 * `atomically` is a read and a write of that field's word. Layout: object-layout.ts; shapes and
 * registered classes: object-shape.ts.
 *
 * - **Per-field conflicts.** Each field is its own transactional word, so two transactions that
 *   write different fields of one object never conflict (nor wait for each other).
 * - **Outside a transaction** every property access is a transaction of its own; a read needs
 *   none (`readOutside`: one atomic load, its linearisation point). So `acct.balance += 5` outside
 *   `atomically` is a read and then a separate write: another worker's update in between is lost.
 *   Methods that must be atomic are the caller's to wrap in `atomically` (nothing is made atomic
 *   behind the user's back: a method may call other objects' methods, and only the caller knows
 *   where the transaction should end).
 * - **Accessors.** Each field is an own accessor property of the wrapper (enumerable, not
 *   configurable), whose getter and setter are made once per shape and worker and know their
 *   field's word: every wrapper of a shape has the same hidden class and the same accessor
 *   functions, so property access stays monomorphic and is inlined by the optimiser. Measured
 *   against accessors on a per-shape prototype and against a `Proxy`: decision 0012.
 * - **Sealed.** The wrapper is not extensible and its fields are not configurable: assigning a
 *   field that does not exist, or deleting one, throws a TypeError in strict code (ES modules,
 *   classes) and is ignored in sloppy code, as for an `Object.seal`ed object; `Object.isSealed`
 *   is true. The object is unchanged either way.
 * - **Classes.** An instance of a registered class (object-shape.ts) becomes an object whose
 *   fields are the instance's own enumerable fields; its wrapper's prototype chain is [the
 *   shape's prototype] → `Class.prototype`, so methods run in the calling worker with `this`
 *   reading and writing the shared fields, and `instanceof Class` holds. Private fields (`#x`)
 *   are not fields: they are not copied, and a method that uses them throws. A worker that has
 *   not registered the class name gets plain field access (no methods), with the class name in
 *   `Symbol.toStringTag` and in `util.inspect`: a monitor need not import every class.
 *
 * Reserved names, which would hide what `SharedObject` promises: `heapId`, `handle`, `tag`,
 * `ref`, `toJSON`, `__proto__`.
 */
import { handleUnit } from '../alloc/index.js';
import { BugError, NotShareableError, StaleHandleError, type Handle } from '../base/index.js';
import {
  decodeInTransaction,
  readOutside,
  type HeapContext,
  type SharedKind,
} from '../objects/index.js';
import {
  atomicallyOn,
  transactionEngine,
  twordUnits,
  twordValue,
  type TxEngine,
} from '../stm/index.js';
import { SharedObject, sharedObjectBrand, type SharedRef } from '../values/index.js';
import {
  objectFieldCountWord,
  objectFieldsMax,
  objectFieldTword,
  objectPayloadBytes,
  objectShapeSlot,
  objectTag,
  refcountOf,
} from './object-layout.js';
import {
  ShapeRegistry,
  shapeDescriptor,
  type RegistrableClass,
  type ShapeInfo,
} from './object-shape.js';

/**
 * What `heap.object(fields)` returns: the fields of `T` (and its class's methods), what every shared
 * object has (`ref`), the plain form for JSON, and `Symbol.dispose` to let go of the wrapper now.
 */
export type SharedFields<T extends object> = T &
  SharedObject & {
    /** The fields as a plain object, read in one transaction (a class's own toJSON wins). */
    toJSON(): Record<string, unknown>;
    /** Lets go of this wrapper now instead of when it is garbage collected. Later use throws. */
    [Symbol.dispose](): void;
  };

/** Field names that would hide a member every shared object has. */
export const reservedFieldNames: ReadonlySet<string> = new Set([
  'heapId',
  'handle',
  'tag',
  'ref',
  'toJSON',
  '__proto__',
]);

/**
 * The key of a wrapper's state: a symbol, so no field name can collide with it. Exported (not
 * public) for the access benchmark, which builds the other candidate wrappers over real blocks.
 */
export const stateKey: unique symbol = Symbol('shared-objects/object-state');

/** What this worker builds per shape: the wrappers' prototype and their field accessors. */
export interface FieldsExtra {
  readonly prototype: object;
  /** Each field's name and accessor descriptor, in field order. */
  readonly accessors: readonly (readonly [string, PropertyDescriptor])[];
}

type FieldsShape = ShapeInfo<FieldsExtra>;

/** One wrapper's own state (behind `stateKey`, non-enumerable). */
export class FieldsState {
  readonly context: HeapContext;
  readonly handle: Handle;
  readonly unit: number;
  /** The header word 0 the block had when the wrapper was made: tag and full generation. */
  readonly headerWord0: number;
  readonly shape: FieldsShape;
  disposed = false;

  constructor(context: HeapContext, handle: Handle, shape: FieldsShape) {
    this.context = context;
    this.handle = handle;
    this.unit = context.allocator.blockUnit(handle, objectTag);
    this.headerWord0 = context.memory.i32[this.unit * 2] ?? 0;
    this.shape = shape;
  }
}

interface Wrapper {
  readonly [stateKey]?: FieldsState;
}

const registries = new WeakMap<HeapContext, ShapeRegistry<FieldsExtra>>();

/** This worker's shapes and classes for the heap of `context`. */
function registryOf(context: HeapContext): ShapeRegistry<FieldsExtra> {
  let registry = registries.get(context);
  if (registry === undefined) {
    registry = new ShapeRegistry<FieldsExtra>(context, buildShape);
    registries.set(context, registry);
  }
  return registry;
}

/** Registers `Class` under `name` for this worker's use of the heap of `context`. */
export function registerClass(context: HeapContext, Class: RegistrableClass, name: string): void {
  context.checkOpen('heap.registerClass');
  registryOf(context).registerClass(Class, name);
}

// ---------------------------------------------------------------- fields

/** The state of a live wrapper `target`, checked; TypeError if `target` is not one. */
export function stateOf(target: unknown, what: string): FieldsState {
  const state = (target as Wrapper | undefined)?.[stateKey];
  if (state === undefined) {
    throw new TypeError(`${what}: called on something that is not a shared object with fields`);
  }
  state.context.checkOpen(what);
  if (state.disposed) throw new StaleHandleError(`${what}: this wrapper was disposed`);
  if (state.context.memory.i32[state.unit * 2] !== state.headerWord0) {
    throw new StaleHandleError(`${what}: the object was freed`);
  }
  return state;
}

/** The value of field `field`: in the running transaction, or committed (no transaction). */
export function readField(state: FieldsState, field: number): unknown {
  const context = state.context;
  const tword = objectFieldTword(state.unit, field);
  const engine = transactionEngine(context.engine);
  if (engine !== undefined) {
    return decodeInTransaction(context, engine, tword, engine.read(tword));
  }
  return readOutside(context, tword);
}

/** Writes field `field`: in the running transaction, or in one of its own. */
export function writeField(state: FieldsState, field: number, value: unknown): void {
  const engine = transactionEngine(state.context.engine);
  if (engine !== undefined) {
    writeIn(engine, state, field, value);
    return;
  }
  atomicallyOn(state.context.engine, () => {
    writeIn(state.context.engine, state, field, value);
  });
}

function writeIn(engine: TxEngine, state: FieldsState, field: number, value: unknown): void {
  const entry = engine.lockCell(objectFieldTword(state.unit, field));
  let word: bigint;
  try {
    // Encoded after the lock: an encoding error leaves only a lock, released with the attempt.
    word = state.context.encodeToStore(value);
  } catch (error) {
    throw renamed(error, `object.${state.shape.names[field] ?? ''}`);
  }
  // The replaced value is dropped at commit, this one discarded on abort (the engine does both).
  engine.setValue(entry, word);
}

/** A NotShareableError about `value…` renamed to the field it was meant for. */
function renamed(error: unknown, path: string): unknown {
  if (!(error instanceof NotShareableError) || !error.path.startsWith('value')) return error;
  const reason = error.message.slice(`${error.path} is not shareable: `.length);
  return new NotShareableError(path + error.path.slice('value'.length), reason);
}

/** Runs `body` in the caller's transaction, or in one of its own. */
function run<T>(state: FieldsState, body: () => T): T {
  if (transactionEngine(state.context.engine) !== undefined) return body();
  return atomicallyOn(state.context.engine, body);
}

/** Every field as a plain object, read in one transaction. */
function plainOf(state: FieldsState): Record<string, unknown> {
  return run(state, () => {
    const plain: Record<string, unknown> = {};
    state.shape.names.forEach((name, field) => {
      Object.defineProperty(plain, name, {
        value: readField(state, field),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return plain;
  });
}

// ---------------------------------------------------------------- shapes

/** The accessors of a shape's fields: made once per shape and worker. */
export function fieldAccessors(
  names: readonly string[],
): readonly (readonly [string, PropertyDescriptor])[] {
  return names.map((name, field) => {
    const what = `object.${name}`;
    const descriptor: PropertyDescriptor = {
      get(this: unknown): unknown {
        return readField(stateOf(this, what), field);
      },
      set(this: unknown, value: unknown): void {
        writeField(stateOf(this, what), field, value);
      },
      enumerable: true,
      configurable: false,
    };
    return [name, descriptor] as const;
  });
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

type Inspect = (value: unknown, options: object) => string;

/** What every shared object with fields has, on its shape's prototype (SharedObject's promise). */
function sharedMembers(shape: Omit<FieldsShape, 'extra'>): PropertyDescriptorMap {
  const classPrototype = shape.registered?.prototype as object | undefined;
  const classHas = (key: PropertyKey): boolean =>
    classPrototype !== undefined && key in classPrototype && !(key in Object.prototype);
  const title =
    shape.className === null
      ? 'SharedObject'
      : `SharedObject<${shape.className}${shape.registered === undefined ? ', unregistered' : ''}>`;
  const members: PropertyDescriptorMap = {
    [sharedObjectBrand]: { value: true },
    heapId: {
      get(this: unknown): number {
        return stateOf(this, 'object.heapId').context.heapId;
      },
    },
    handle: {
      get(this: unknown): Handle {
        return stateOf(this, 'object.handle').handle;
      },
    },
    tag: { value: objectTag },
    ref: {
      get(this: unknown): SharedRef {
        const state = stateOf(this, 'object.ref');
        return {
          kind: 'shared-objects/ref',
          heapId: state.context.heapId,
          handle: state.handle,
          tag: objectTag,
        };
      },
    },
    [Symbol.dispose]: {
      value(this: unknown): void {
        const state = (this as Wrapper | undefined)?.[stateKey];
        if (state === undefined || state.disposed || state.context.closed) return;
        state.disposed = true;
        state.context.wrappers.dispose(state.handle, this as object);
      },
    },
  };
  // A class's own toJSON, inspection or tag wins: its methods see the shared fields as `this`.
  if (!classHas('toJSON')) {
    members['toJSON'] = {
      value(this: unknown): Record<string, unknown> {
        return plainOf(stateOf(this, 'object.toJSON'));
      },
    };
  }
  if (!classHas(Symbol.toStringTag)) {
    members[Symbol.toStringTag] = { value: shape.className ?? 'SharedObject' };
  }
  if (!classHas(inspectCustom)) {
    members[inspectCustom] = {
      value(this: unknown, _depth: number, options: object, inspect: Inspect): string {
        const state = (this as Wrapper | undefined)?.[stateKey];
        if (state === undefined || state.disposed || state.context.closed) {
          return `${title} <closed>`;
        }
        return `${title} ${inspect(plainOf(stateOf(this, 'object.inspect')), options)}`;
      },
    };
  }
  return members;
}

/** Builds what this worker needs for a shape: its prototype and its accessors. */
function buildShape(shape: Omit<FieldsShape, 'extra'>): FieldsExtra {
  const parent = (shape.registered?.prototype as object | undefined) ?? Object.prototype;
  return {
    prototype: Object.create(parent, sharedMembers(shape)) as object,
    accessors: fieldAccessors(shape.names),
  };
}

/** This worker's wrapper of the object block `handle` (the caller holds its pin). */
function makeWrapper(context: HeapContext, handle: Handle, shape: FieldsShape): object {
  const wrapper = Object.create(shape.extra.prototype) as object;
  Object.defineProperty(wrapper, stateKey, { value: new FieldsState(context, handle, shape) });
  // One defineProperty per field: measured 983 ns for 4 fields against 1 498 for one
  // defineProperties call with the same descriptors (decision 0012).
  for (const [name, descriptor] of shape.extra.accessors) {
    Object.defineProperty(wrapper, name, descriptor);
  }
  Object.preventExtensions(wrapper);
  return wrapper;
}

// ---------------------------------------------------------------- creation

/**
 * A new shared object whose fields are `fields`' own enumerable string keys, in order, holding
 * their values: a plain object, or an instance of a class registered in this worker. Nothing
 * stays allocated if a value cannot be stored (NotShareableError naming the field).
 */
export function createObject<T extends object>(context: HeapContext, fields: T): SharedFields<T> {
  context.checkOpen('heap.object');
  if (typeof fields !== 'object' || (fields as unknown) === null) {
    throw new TypeError('heap.object: expected an object (its own fields become shared fields)');
  }
  const registry = registryOf(context);
  const className = registry.classNameOf(fields, 'heap.object');
  const names = Object.keys(fields);
  for (const name of names) {
    if (reservedFieldNames.has(name)) {
      throw new TypeError(
        `heap.object: '${name}' cannot be a field name (every shared object has a '${name}')`,
      );
    }
  }
  if (names.length > objectFieldsMax) {
    throw new RangeError(
      `heap.object: ${String(names.length)} fields, more than ${String(objectFieldsMax)} ` +
        `(a record has fixed fields; keys that are data belong in a map)`,
    );
  }
  // Read once: a getter of `fields` runs once, and what it returned is what is stored.
  const values = names.map((name) => (fields as Record<string, unknown>)[name]);
  context.reclaim.enter();
  const shape = registry.shapeToStore(className, names);
  const words: bigint[] = [];
  let handle: Handle;
  try {
    words.push(context.encodeToStore(shape));
    values.forEach((value, field) => {
      try {
        words.push(context.encodeToStore(value));
      } catch (error) {
        throw renamed(error, `fields.${names[field] ?? ''}`);
      }
    });
    handle = context.allocator.allocate(objectTag, objectPayloadBytes(names.length));
  } catch (error) {
    for (const word of words) context.discardUnpublished(word);
    throw error;
  }
  const unit = handleUnit(handle);
  const { i32, b64 } = context.memory;
  // Zeros make valid transactional words (unlocked, version 0) and a zero spare word.
  b64.fill(0n, unit + 1, unit + 1 + objectPayloadBytes(names.length) / 8);
  i32[objectFieldCountWord(unit)] = names.length;
  b64[objectShapeSlot(unit)] = words[0] ?? 0n;
  for (let field = 0; field < names.length; field += 1) {
    b64[twordValue(objectFieldTword(unit, field))] = words[field + 1] ?? 0n;
  }
  // ORDERING: not shared yet; the creator's wrapper holds the first reference, and the handle is
  // published later by an atomic store (a commit, or a ref sent by postMessage).
  Atomics.store(i32, refcountOf(unit), 1);
  const wrapper = makeWrapper(context, handle, registry.infoOf(shapeDescriptor(className, names)));
  context.adoptNewWrapper(handle, wrapper);
  return wrapper as SharedFields<T>;
}

/** The shape handle an object block refers to (written before publication: a plain read). */
function shapeHandleOf(context: HeapContext, unit: number): Handle {
  let shape: Handle | undefined;
  context.codec.forEachRef(context.memory.b64[objectShapeSlot(unit)] ?? 0n, (ref) => {
    shape = ref;
  });
  if (shape === undefined) throw new BugError(`object block ${String(unit)} has no shape`);
  return shape;
}

/** Shared objects with fields as a kind of shared object (objects/kinds.ts). */
export const objectKind: SharedKind<HeapContext> = {
  tag: objectTag,
  name: 'object',
  open: (context, handle) => {
    const unit = context.allocator.blockUnit(handle, objectTag);
    const shape = registryOf(context).infoAt(shapeHandleOf(context, unit));
    return makeWrapper(context, handle, shape);
  },
  forEachWord: (memory, unit, visit) => {
    // The shape reference first: the object's count of its shape is released with the object.
    visit(Atomics.load(memory.b64, objectShapeSlot(unit)));
    const fields = memory.i32[objectFieldCountWord(unit)] ?? 0;
    for (let field = 0; field < fields; field += 1) {
      visit(Atomics.load(memory.b64, twordValue(objectFieldTword(unit, field))));
    }
  },
  describeWord: (context, blockUnit, _blockTag, word) => {
    const shape = registryOf(context).infoAt(shapeHandleOf(context, blockUnit));
    const field = (word - objectFieldTword(blockUnit, 0)) / twordUnits;
    return { object: shape.className ?? 'object', part: 'field', key: shape.names[field] };
  },
};
