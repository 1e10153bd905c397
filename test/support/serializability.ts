// A judge for test histories: decides whether the transactions that committed in a test run could
// have run one at a time, each inside its own real-time interval (strict serializability).
//
// It follows Adya's dependency graphs (A. Adya, "Weak Consistency: A Generalized Theory and
// Optimistic Implementations for Distributed Transactions", MIT 1999) as Elle applies them to
// black-box histories (K. Kingsbury and P. Alvaro, "Elle: Inferring Isolation Anomalies from
// Experimental Observations", VLDB 2020). Workloads write values that are unique per key, so a
// value read names its writer; list-append reads reveal the order of a list's versions (the longest
// read is that order, every other read a prefix of it); read-modify-write reveals the order of a
// register's versions (the value written directly follows the value read). From those orders come
// the dependency edges:
//   ww  T1 installed a version and T2 the next one of the same key;
//   wr  T2 read a version that T1 installed;
//   rw  T1 read a version and T2 installed the next one (anti-dependency), or appended an element
//       that no read saw, which belongs after everything T1 saw;
//   rt  T1 completed before T2 was invoked (real-time order).
// The history is serializable iff the ww/wr/rw graph has no cycle, and strictly serializable iff
// it stays acyclic with the rt edges added. Real-time edges would be quadratic in number, so they
// go through a chain of time nodes, one per distinct completion time (a transitive reduction).
//
// Checks run in a fixed order, so that a history with several problems always reports the same one:
//   malformed-history       the history breaks the format's promises (unique ids and values, ...)
//   duplicate-elements      a list read holds one element twice
//   G1a-aborted-read        a read saw a value that no committed transaction wrote
//   internal-inconsistency  a transaction's reads disagree with its own earlier reads or writes
//   G1b-intermediate-read   a read saw a value that its writer overwrote in the same transaction
//   incompatible-order      reads disagree on a key's version order (including lost updates: two
//                           read-modify-writes that both follow one version)
//   G0, G1c, G2, real-time  a dependency cycle: of ww edges only; of ww and wr; one that needs rw;
//                           one that needs rt (serializable, but not strictly)
//
// Reads after the transaction's own write of the key (internal reads) are checked against that
// transaction alone and yield no edges. Graph searches are iterative (Tarjan's SCC algorithm with
// explicit stacks, then a BFS for one cycle to print): dependency chains in a long history are far
// deeper than the JS call stack.

export type Operation =
  // A list-append write.
  | { readonly kind: 'append'; readonly key: number; readonly value: number }
  // A read of a whole list.
  | { readonly kind: 'readList'; readonly key: number; readonly list: readonly number[] }
  // A register write.
  | { readonly kind: 'write'; readonly key: number; readonly value: number }
  // A register read; null is the initial value (never written).
  | { readonly kind: 'read'; readonly key: number; readonly value: number | null };

export interface CommittedTransaction {
  /** Unique, e.g. `w3#17` (worker 3, 17th transaction). */
  readonly id: string;
  /** From a shared monotonic counter, taken before the transaction was called. */
  readonly invoke: number;
  /** From the same counter, taken after it returned (invoke < complete). */
  readonly complete: number;
  /** In program order, as the transaction saw and did them. */
  readonly ops: readonly Operation[];
}

export type Verdict =
  | { readonly ok: true; readonly transactions: number; readonly edges: number }
  | { readonly ok: false; readonly anomaly: string; readonly explanation: string };

type AnomalyName =
  | 'malformed-history'
  | 'duplicate-elements'
  | 'G1a-aborted-read'
  | 'internal-inconsistency'
  | 'G1b-intermediate-read'
  | 'incompatible-order'
  | 'G0'
  | 'G1c'
  | 'G2'
  | 'real-time';

type Rejection = Extract<Verdict, { ok: false }>;

/** Explanations show at most this many elements of a list, so that they stay readable. */
const listElementsShownMax = 12;
/** Explanations show at most this many transactions of a cycle. */
const cycleStepsShownMax = 16;

// Edge kinds are bits, so that a cycle search can be limited to some kinds (G0 looks at ww only).
const edgeWw = 1;
const edgeWr = 2;
const edgeRw = 4;
const edgeRt = 8;
const edgeAll = edgeWw | edgeWr | edgeRw | edgeRt;
/** The key recorded on rt edges, which belong to no key. */
const noKey = -1;

/**
 * Cycle searches from the most to the least specific kind set: the first set whose graph has a
 * cycle names the anomaly, so a G2 report means no cycle of ww and wr edges alone exists.
 */
const cycleClasses: readonly {
  readonly mask: number;
  readonly anomaly: AnomalyName;
  readonly meaning: string;
}[] = [
  {
    mask: edgeWw,
    anomaly: 'G0',
    meaning: 'a cycle of write-write dependencies (the transactions interleave their writes)',
  },
  {
    mask: edgeWw | edgeWr,
    anomaly: 'G1c',
    meaning: 'a cycle of write and read dependencies (circular information flow)',
  },
  {
    mask: edgeWw | edgeWr | edgeRw,
    anomaly: 'G2',
    meaning: 'a cycle that needs anti-dependencies (rw: a read missed the next version)',
  },
  {
    mask: edgeAll,
    anomaly: 'real-time',
    meaning:
      'no ww/wr/rw cycle, but one appears with real-time order (rt: completed before the next ' +
      'was invoked), so the history is serializable but not strictly serializable',
  },
];

/** Where a list element came from. */
interface AppendSite {
  readonly txn: number;
  readonly value: number;
  /** The same transaction's previous and next append to the key: they must be adjacent. */
  prev: number | undefined;
  next: number | undefined;
  /** The number of the last list read that held this element, to find duplicates in one pass. */
  seenBy: number;
}

/** Where a register value came from. */
interface WriteSite {
  readonly txn: number;
  /** False when the same transaction wrote the key again: then this value was never a version. */
  final: boolean;
  /** The read-modify-write that installed the next version, once known. */
  successor: ReadModifyWrite | undefined;
}

/** A list read, numbered in history order. */
interface ListRead {
  readonly txn: number;
  readonly number: number;
  readonly list: readonly number[];
}

/** A list key's version order and, position by position, the transaction that appended it. */
interface ListOrder {
  readonly order: readonly number[];
  readonly appenders: Int32Array;
}

/** A read that saw state from before its transaction wrote the key (an external read). */
interface ListObservation {
  readonly txn: number;
  readonly key: number;
  readonly list: readonly number[];
}

interface RegisterObservation {
  readonly txn: number;
  readonly key: number;
  readonly value: number | null;
  /** Where `value` was written; undefined for the initial null. */
  readonly writer: WriteSite | undefined;
}

/** A transaction read `read` (external) and later installed `write` (its last write of the key). */
interface ReadModifyWrite {
  readonly txn: number;
  readonly key: number;
  readonly read: RegisterObservation;
  readonly write: number;
}

interface ListState {
  /** What the transaction saw of other transactions' appends, once it has read the key. */
  base: readonly number[] | undefined;
  readonly own: number[];
}

interface RegisterState {
  /** The transaction's external read of the key, if it made one. */
  read: RegisterObservation | undefined;
  written: number | undefined;
  readBeforeWrite: RegisterObservation | undefined;
}

/** The dependency graph in compressed sparse rows: out-edges of node v are offsets[v]..[v+1]. */
interface Graph {
  readonly nodeCount: number;
  readonly transactionCount: number;
  readonly offsets: Int32Array;
  readonly sources: Int32Array;
  readonly targets: Int32Array;
  readonly kinds: Uint8Array;
  readonly keys: Float64Array;
}

/**
 * Decides whether `history` (committed transactions only) is strictly serializable. Returns the
 * graph size when it is, and the first anomaly (in the order listed at the top of this file) with
 * an explanation naming the transactions involved when it is not.
 */
export function checkStrictSerializable(history: readonly CommittedTransaction[]): Verdict {
  return new Judge(history).run();
}

function reject(anomaly: AnomalyName, explanation: string): Rejection {
  return { ok: false, anomaly, explanation };
}

/** Reads `array[index]` where the index is in bounds by construction; anything else is a bug. */
function at(array: ArrayLike<number>, index: number): number {
  const value = array[index];
  if (value === undefined) throw new Error(`BUG: index ${index} is outside 0..${array.length}`);
  return value;
}

function inner<K, V>(outer: Map<number, Map<K, V>>, key: number): Map<K, V> {
  let map = outer.get(key);
  if (map === undefined) {
    map = new Map<K, V>();
    outer.set(key, map);
  }
  return map;
}

function showValue(value: number | null): string {
  return value === null ? 'null (initial)' : String(value);
}

function showList(list: readonly number[]): string {
  if (list.length <= listElementsShownMax) return `[${list.join(', ')}]`;
  const hidden = list.length - listElementsShownMax;
  return `[${list.slice(0, listElementsShownMax).join(', ')}, … ${hidden} more]`;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && isPrefix(a, b);
}

function isPrefix(prefix: readonly number[], list: readonly number[]): boolean {
  if (prefix.length > list.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== list[i]) return false;
  return true;
}

function endsWith(list: readonly number[], suffix: readonly number[]): boolean {
  const offset = list.length - suffix.length;
  if (offset < 0) return false;
  for (let i = 0; i < suffix.length; i++) if (suffix[i] !== list[offset + i]) return false;
  return true;
}

class Judge {
  private readonly appends = new Map<number, Map<number, AppendSite>>();
  private readonly writes = new Map<number, Map<number, WriteSite>>();
  private readonly listObservations: ListObservation[] = [];
  private readonly registerObservations: RegisterObservation[] = [];
  private readonly readModifyWrites: ReadModifyWrite[] = [];
  /** Per register key: the read-modify-write that installed the first version. */
  private readonly firstVersions = new Map<number, ReadModifyWrite>();
  /** Per non-null register read, in history order: where its value was written. */
  private readonly registerReadSites: (WriteSite | undefined)[] = [];
  /**
   * Per list read, in history order: the position of the first element that the reading
   * transaction appended itself, or -1. Such an element is legal only after its append.
   */
  private readonly firstOwnElement: number[] = [];
  /** Numbers the element-by-element scans of list reads, for the duplicate marks. */
  private scanCount = 0;
  /** Per list key: its version order (the longest external read) and who appended each. */
  private readonly listOrders = new Map<number, ListOrder>();

  constructor(private readonly history: readonly CommittedTransaction[]) {}

  run(): Verdict {
    return (
      this.indexWriters() ??
      this.scanReads() ??
      this.checkInternal() ??
      this.checkIntermediateReads() ??
      this.inferListOrders() ??
      this.inferRegisterOrders() ??
      this.checkCycles()
    );
  }

  private id(txn: number): string {
    const transaction = this.history[txn];
    if (transaction === undefined) throw new Error(`BUG: no transaction ${txn}`);
    return transaction.id;
  }

  private appendSite(key: number, value: number): AppendSite | undefined {
    return this.appends.get(key)?.get(value);
  }

  private writeSite(key: number, value: number): WriteSite | undefined {
    return this.writes.get(key)?.get(value);
  }

  /** Validates the format and records who wrote each value. */
  private indexWriters(): Rejection | undefined {
    const ids = new Set<string>();
    const keyUse = new Map<number, 'list' | 'register'>();
    // The transaction's latest append and write per key, to link its appends and mark its
    // overwritten register values; cleared per transaction.
    const lastAppend = new Map<number, AppendSite>();
    const lastWrite = new Map<number, WriteSite>();
    for (const [t, txn] of this.history.entries()) {
      if (ids.has(txn.id)) return reject('malformed-history', `two transactions have id ${txn.id}`);
      ids.add(txn.id);
      if (!(Number.isFinite(txn.invoke) && Number.isFinite(txn.complete))) {
        return reject('malformed-history', `${txn.id} has a time that is not a finite number`);
      }
      if (txn.invoke >= txn.complete) {
        return reject(
          'malformed-history',
          `${txn.id} was invoked at ${txn.invoke} but completed at ${txn.complete}`,
        );
      }
      lastAppend.clear();
      lastWrite.clear();
      for (const op of txn.ops) {
        const use = op.kind === 'append' || op.kind === 'readList' ? 'list' : 'register';
        const known = keyUse.get(op.key);
        if (known === undefined) keyUse.set(op.key, use);
        else if (known !== use) {
          return reject(
            'malformed-history',
            `${txn.id} uses key ${op.key} as a ${use}, but it is used elsewhere as a ${known}`,
          );
        }
        if (op.kind === 'append') {
          const sites = inner(this.appends, op.key);
          const other = sites.get(op.value);
          if (other !== undefined) {
            return reject(
              'malformed-history',
              `${this.id(other.txn)} and ${txn.id} both append ${op.value} to key ${op.key}; ` +
                'workloads must append unique values',
            );
          }
          const previous = lastAppend.get(op.key);
          const site: AppendSite = {
            txn: t,
            value: op.value,
            prev: previous?.value,
            next: undefined,
            seenBy: -1,
          };
          if (previous !== undefined) previous.next = op.value;
          sites.set(op.value, site);
          lastAppend.set(op.key, site);
        } else if (op.kind === 'write') {
          const sites = inner(this.writes, op.key);
          const other = sites.get(op.value);
          if (other !== undefined) {
            return reject(
              'malformed-history',
              `${this.id(other.txn)} and ${txn.id} both write ${op.value} to key ${op.key}; ` +
                'workloads must write unique values',
            );
          }
          const previous = lastWrite.get(op.key);
          if (previous !== undefined) previous.final = false;
          const site: WriteSite = { txn: t, final: true, successor: undefined };
          sites.set(op.value, site);
          lastWrite.set(op.key, site);
        }
      }
    }
    return undefined;
  }

  /**
   * Every read: list elements must be distinct (duplicate-elements, which takes priority wherever
   * it is) and every value must have a committed writer (G1a). Also notes, per list read, where
   * the first element that the reading transaction appended itself is, for the replay.
   *
   * List reads hold most of a history's data, so only the longest read of each key is looked up
   * element by element; a read that is a prefix of a clean longest read is clean too, and in a
   * valid history every read is such a prefix. Other reads take the slow path.
   */
  private scanReads(): Rejection | undefined {
    const readsByKey = new Map<number, ListRead[]>();
    let garbage: Rejection | undefined;
    for (const [t, txn] of this.history.entries()) {
      for (const op of txn.ops) {
        if (op.kind === 'readList') {
          let reads = readsByKey.get(op.key);
          if (reads === undefined) {
            reads = [];
            readsByKey.set(op.key, reads);
          }
          reads.push({ txn: t, number: this.firstOwnElement.length, list: op.list });
          this.firstOwnElement.push(-1);
          continue;
        }
        if (op.kind !== 'read' || op.value === null) continue;
        const site = this.writeSite(op.key, op.value);
        this.registerReadSites.push(site);
        if (site !== undefined || garbage !== undefined) continue;
        garbage = reject(
          'G1a-aborted-read',
          `${this.id(t)} read ${op.value} from key ${op.key}, but no committed transaction ` +
            'wrote it (aborted or garbage)',
        );
      }
    }
    for (const [key, reads] of readsByKey) {
      const sites = this.appends.get(key) ?? new Map<number, AppendSite>();
      const longest = reads.reduce((a, b) => (b.list.length > a.list.length ? b : a));
      let problem = this.scanList(key, longest, sites);
      // Where each transaction first appended in the longest read, for the fast path.
      const firstAppend = new Map<number, number>();
      for (let p = longest.list.length - 1; p >= 0; p--) {
        const site = sites.get(at(longest.list, p));
        if (site !== undefined) firstAppend.set(site.txn, p);
      }
      for (const read of reads) {
        if (read === longest) continue;
        if (problem === undefined && isPrefix(read.list, longest.list)) {
          const own = firstAppend.get(read.txn) ?? -1;
          this.firstOwnElement[read.number] = own < read.list.length ? own : -1;
          continue;
        }
        const found = this.scanList(key, read, sites);
        if (found?.anomaly === 'duplicate-elements') return found;
        problem ??= found;
      }
      if (problem?.anomaly === 'duplicate-elements') return problem;
      garbage ??= problem;
    }
    return garbage;
  }

  /** Looks up every element of one list read; the slow path of `scanReads`. */
  private scanList(
    key: number,
    read: ListRead,
    sites: ReadonlyMap<number, AppendSite>,
  ): Rejection | undefined {
    const { txn: t, list } = read;
    const stamp = this.scanCount++;
    // Elements without a writer cannot carry a mark, so their duplicates need a set.
    let unwritten: Set<number> | undefined;
    let garbage: number | undefined;
    let duplicate: number | undefined;
    let own = -1;
    for (let position = 0; position < list.length; position++) {
      const element = at(list, position);
      const site = sites.get(element);
      if (site === undefined) {
        unwritten ??= new Set<number>();
        if (unwritten.has(element)) duplicate = element;
        unwritten.add(element);
        garbage ??= element;
        continue;
      }
      if (site.seenBy === stamp) duplicate = element;
      site.seenBy = stamp;
      if (own < 0 && site.txn === t) own = position;
    }
    this.firstOwnElement[read.number] = own;
    if (duplicate !== undefined) {
      return reject(
        'duplicate-elements',
        `${this.id(t)} read key ${key} as ${showList(list)}, which holds ${duplicate} twice`,
      );
    }
    if (garbage === undefined) return undefined;
    return reject(
      'G1a-aborted-read',
      `${this.id(t)} read key ${key} as ${showList(list)}, but no committed transaction ` +
        `appended ${garbage} to it (aborted or garbage)`,
    );
  }

  /**
   * Replays each transaction against its own writes. A read before the transaction writes the key
   * is external: it must repeat earlier external reads of the key and must not contain the
   * transaction's own later writes; it is recorded as an observation. A read after the transaction
   * wrote the key is internal: it must show the transaction's writes on top of what it saw before,
   * and yields no dependency.
   */
  private checkInternal(): Rejection | undefined {
    const lists = new Map<number, ListState>();
    const registers = new Map<number, RegisterState>();
    let readNumber = 0;
    let registerReadNumber = 0;
    for (const [t, txn] of this.history.entries()) {
      lists.clear();
      registers.clear();
      for (const op of txn.ops) {
        let problem: string | undefined;
        if (op.kind === 'append' || op.kind === 'readList') {
          let state = lists.get(op.key);
          if (state === undefined) {
            state = { base: undefined, own: [] };
            lists.set(op.key, state);
          }
          if (op.kind === 'append') state.own.push(op.value);
          else {
            const firstOwn = at(this.firstOwnElement, readNumber++);
            problem = this.replayListRead(t, op.key, op.list, state, firstOwn);
          }
        } else {
          let state = registers.get(op.key);
          if (state === undefined) {
            state = { read: undefined, written: undefined, readBeforeWrite: undefined };
            registers.set(op.key, state);
          }
          if (op.kind === 'write') {
            if (state.written === undefined) state.readBeforeWrite = state.read;
            state.written = op.value;
          } else {
            const writer =
              op.value === null ? undefined : this.registerReadSites[registerReadNumber++];
            problem = this.replayRegisterRead(t, op.key, op.value, writer, state);
          }
        }
        if (problem !== undefined) return reject('internal-inconsistency', `${txn.id} ${problem}`);
      }
      for (const [key, state] of registers) {
        // A write without a read before it (a blind write) has no known place in the version
        // order; register workloads read first, so this only costs precision.
        if (state.written === undefined || state.readBeforeWrite === undefined) continue;
        this.readModifyWrites.push({
          txn: t,
          key,
          read: state.readBeforeWrite,
          write: state.written,
        });
      }
    }
    return undefined;
  }

  private replayListRead(
    t: number,
    key: number,
    list: readonly number[],
    state: ListState,
    firstOwn: number,
  ): string | undefined {
    if (state.own.length === 0) {
      if (state.base !== undefined) {
        if (sameList(list, state.base)) return undefined;
        return (
          `read key ${key} as ${showList(state.base)} and then as ${showList(list)}, ` +
          'writing nothing'
        );
      }
      if (firstOwn >= 0) {
        return `read key ${key} as ${showList(list)} before appending ${at(list, firstOwn)} itself`;
      }
      state.base = list;
      this.listObservations.push({ txn: t, key, list });
      return undefined;
    }
    if (state.base !== undefined) {
      const { base, own } = state;
      if (list.length === base.length + own.length && isPrefix(base, list) && endsWith(list, own)) {
        return undefined;
      }
      return (
        `read key ${key} as ${showList(base)}, appended ${showList(own)}, then ` +
        `read ${showList(list)}; expected ${showList([...base, ...own])}`
      );
    }
    const baseLength = list.length - state.own.length;
    if (baseLength < 0 || !endsWith(list, state.own)) {
      return (
        `appended ${showList(state.own)} to key ${key} but then read ${showList(list)}, ` +
        'which does not end with them'
      );
    }
    if (firstOwn >= 0 && firstOwn < baseLength) {
      return (
        `read key ${key} as ${showList(list)}, which has ${at(list, firstOwn)} before its own ` +
        `appends ${showList(state.own)}`
      );
    }
    state.base = list.slice(0, baseLength);
    return undefined;
  }

  private replayRegisterRead(
    t: number,
    key: number,
    value: number | null,
    writer: WriteSite | undefined,
    state: RegisterState,
  ): string | undefined {
    if (state.written !== undefined) {
      if (value === state.written) return undefined;
      return `wrote ${state.written} to key ${key} and then read ${showValue(value)}`;
    }
    if (state.read !== undefined) {
      if (value === state.read.value) return undefined;
      return (
        `read key ${key} as ${showValue(state.read.value)} and then as ${showValue(value)}, ` +
        'writing nothing'
      );
    }
    if (writer?.txn === t) {
      return `read ${showValue(value)} from key ${key} before writing it itself`;
    }
    state.read = { txn: t, key, value, writer };
    this.registerObservations.push(state.read);
    return undefined;
  }

  /** An external read must not see a state in the middle of another transaction (G1b). */
  private checkIntermediateReads(): Rejection | undefined {
    for (const { txn, key, list } of this.listObservations) {
      const last = list.at(-1);
      if (last === undefined) continue;
      const site = this.appendSite(key, last);
      if (site?.next === undefined) continue;
      return reject(
        'G1b-intermediate-read',
        `${this.id(txn)} read key ${key} as ${showList(list)}, but ${this.id(site.txn)} ` +
          `appended ${site.next} right after ${last} in the same transaction`,
      );
    }
    for (const { txn, key, value, writer } of this.registerObservations) {
      if (writer === undefined || writer.final) continue;
      return reject(
        'G1b-intermediate-read',
        `${this.id(txn)} read ${showValue(value)} from key ${key}, but ${this.id(writer.txn)} ` +
          'overwrote it later in the same transaction',
      );
    }
    return undefined;
  }

  /**
   * A list's version order is its longest external read; every other external read must be a
   * prefix of it, and each transaction's appends to it must be adjacent in it.
   */
  private inferListOrders(): Rejection | undefined {
    const longest = new Map<number, ListObservation>();
    for (const observation of this.listObservations) {
      const known = longest.get(observation.key);
      if (known === undefined || observation.list.length > known.list.length) {
        longest.set(observation.key, observation);
      }
    }
    for (const observation of this.listObservations) {
      const order = longest.get(observation.key);
      if (order === undefined) throw new Error('BUG: an observed list key has no longest read');
      if (isPrefix(observation.list, order.list)) continue;
      return reject(
        'incompatible-order',
        `${this.id(observation.txn)} read key ${observation.key} as ` +
          `${showList(observation.list)}, but ${this.id(order.txn)} read it as ` +
          `${showList(order.list)}; the first is not a prefix of the second`,
      );
    }
    for (const [key, { txn, list: order }] of longest) {
      const appenders = new Int32Array(order.length);
      for (let p = 0; p < order.length; p++) {
        const element = at(order, p);
        const site = this.appendSite(key, element);
        if (site === undefined) throw new Error(`BUG: ${element} in key ${key} has no writer`);
        appenders[p] = site.txn;
        // A transaction's appends to one key are adjacent in any serial order.
        const after = order[p + 1];
        let pair: string | undefined;
        if (site.next !== undefined && after !== undefined && after !== site.next) {
          pair = `${element} and then ${site.next}`;
        } else if (site.prev !== undefined && order[p - 1] !== site.prev) {
          pair = `${site.prev} and then ${element}`;
        }
        if (pair === undefined) continue;
        return reject(
          'incompatible-order',
          `${this.id(site.txn)} appended ${pair} to key ${key}, but ${this.id(txn)} read key ` +
            `${key} as ${showList(order)}, where they are not adjacent`,
        );
      }
      this.listOrders.set(key, { order, appenders });
    }
    return undefined;
  }

  /** A register version follows the version its writer read; two writers cannot follow one. */
  private inferRegisterOrders(): Rejection | undefined {
    for (const step of this.readModifyWrites) {
      const { writer } = step.read;
      const other = writer === undefined ? this.firstVersions.get(step.key) : writer.successor;
      if (other === undefined) {
        if (writer === undefined) this.firstVersions.set(step.key, step);
        else writer.successor = step;
        continue;
      }
      return reject(
        'incompatible-order',
        `lost update on key ${step.key}: ${this.id(other.txn)} and ${this.id(step.txn)} both ` +
          `read ${showValue(step.read.value)} and wrote ${other.write} and ${step.write}; ` +
          'one of the writes overwrote the other without seeing it',
      );
    }
    return undefined;
  }

  private checkCycles(): Verdict {
    const graph = this.buildGraph();
    const full = stronglyConnected(graph, edgeAll);
    if (full === undefined) {
      return { ok: true, transactions: this.history.length, edges: graph.targets.length };
    }
    for (const { mask, anomaly, meaning } of cycleClasses) {
      const found = mask === edgeAll ? full : stronglyConnected(graph, mask);
      if (found === undefined) continue;
      const cycle = findCycle(graph, found.component, found.start, mask);
      return reject(anomaly, `${anomaly}, ${meaning}: ${this.showCycle(graph, cycle)}`);
    }
    throw new Error('BUG: the full graph has a cycle but no kind set finds it');
  }

  private showCycle(graph: Graph, cycle: readonly number[]): string {
    const steps: string[] = [];
    for (const edge of cycle) {
      const source = at(graph.sources, edge);
      // Time nodes and list-end nodes are not transactions: a step is named by the edge that
      // leaves a transaction, which carries the kind and key of the whole hop.
      if (source >= graph.transactionCount) continue;
      const kind = at(graph.kinds, edge);
      const key = at(graph.keys, edge);
      const label = kind === edgeRt ? 'rt' : `${edgeName(kind)}(key ${key})`;
      steps.push(`${this.id(source)} -${label}->`);
    }
    const start = this.id(at(graph.sources, at(cycle, 0)));
    if (steps.length <= cycleStepsShownMax) return `${steps.join(' ')} ${start}`;
    const hidden = steps.length - cycleStepsShownMax;
    return `${steps.slice(0, cycleStepsShownMax).join(' ')} … ${hidden} more steps … ${start}`;
  }

  private buildGraph(): Graph {
    const edges = new EdgeList(this.history.length);
    this.addListEdges(edges);
    this.addRegisterEdges(edges);
    this.addRealTimeEdges(edges);
    return edges.toGraph(this.history.length);
  }

  private addListEdges(edges: EdgeList): void {
    const byKey = new Map<number, ListObservation[]>();
    for (const observation of this.listObservations) {
      let list = byKey.get(observation.key);
      if (list === undefined) {
        list = [];
        byKey.set(observation.key, list);
      }
      list.push(observation);
    }
    for (const [key, observations] of byKey) {
      const known = this.listOrders.get(key);
      const sites = this.appends.get(key);
      if (known === undefined || sites === undefined) continue;
      const { order, appenders } = known;
      for (let p = 1; p < order.length; p++) {
        edges.add(at(appenders, p - 1), at(appenders, p), edgeWw, key);
      }
      const fullReaders: number[] = [];
      for (const { txn, list } of observations) {
        if (list.length > 0) edges.add(at(appenders, list.length - 1), txn, edgeWr, key);
        if (list.length < order.length) edges.add(txn, at(appenders, list.length), edgeRw, key);
        else fullReaders.push(txn);
      }
      this.addUnobservedAppendEdges(edges, key, order, sites, fullReaders);
    }
  }

  /**
   * Appends that no external read saw come after everything observed: a transaction that read
   * the whole order saw none of them, so it precedes each of their appenders (rw). Readers that
   * did not append such an element reach them all through one list-end node, keeping the edge
   * count linear; the node must not serve a reader that is itself such an appender, or it would
   * close a false cycle through that transaction.
   */
  private addUnobservedAppendEdges(
    edges: EdgeList,
    key: number,
    order: readonly number[],
    sites: ReadonlyMap<number, AppendSite>,
    fullReaders: readonly number[],
  ): void {
    if (sites.size === order.length) return;
    const observed = new Set(order);
    const appenders = new Set<number>();
    for (const [value, site] of sites) if (!observed.has(value)) appenders.add(site.txn);
    const plainReaders = fullReaders.filter((txn) => !appenders.has(txn));
    const appendingReaders = fullReaders.filter((txn) => appenders.has(txn));
    if (plainReaders.length > 0) {
      const end = edges.addNode();
      for (const txn of plainReaders) edges.add(txn, end, edgeRw, key);
      for (const txn of appenders) edges.add(end, txn, edgeRw, key);
    }
    const [first, second] = appendingReaders;
    if (first === undefined) return;
    if (second === undefined) {
      for (const txn of appenders) if (txn !== first) edges.add(first, txn, edgeRw, key);
      return;
    }
    // Two transactions each read the whole order and each appended unseen elements: each should
    // have seen the other's. That two-edge cycle is enough to reject the history.
    edges.add(first, second, edgeRw, key);
    edges.add(second, first, edgeRw, key);
  }

  /**
   * A version's writer precedes its readers (wr); its readers precede the writer of the next
   * version (rw), which follows its writer (ww).
   */
  private addRegisterEdges(edges: EdgeList): void {
    for (const { txn, key, writer } of this.registerObservations) {
      if (writer !== undefined) edges.add(writer.txn, txn, edgeWr, key);
      const next = writer === undefined ? this.firstVersions.get(key) : writer.successor;
      if (next !== undefined) edges.add(txn, next.txn, edgeRw, key);
    }
    for (const { txn, key, read } of this.readModifyWrites) {
      if (read.writer !== undefined) edges.add(read.writer.txn, txn, edgeWw, key);
    }
  }

  /**
   * One time node per distinct completion time, linked in increasing order. A transaction points
   * to the node of its completion; the latest node before its invocation points to it. So T1
   * reaches T2 through time nodes iff T1.complete < T2.invoke, with O(n) edges instead of O(n²).
   */
  private addRealTimeEdges(edges: EdgeList): void {
    const times = Float64Array.from(this.history, (txn) => txn.complete).sort();
    let distinct = 0;
    for (let i = 0; i < times.length; i++) {
      if (i === 0 || at(times, i) !== at(times, distinct - 1)) times[distinct++] = at(times, i);
    }
    const firstNode = edges.addNodes(distinct);
    for (let j = 1; j < distinct; j++) edges.add(firstNode + j - 1, firstNode + j, edgeRt, noKey);
    for (const [t, txn] of this.history.entries()) {
      const completed = lastBelow(times, distinct, txn.complete) + 1;
      edges.add(t, firstNode + completed, edgeRt, noKey);
      const before = lastBelow(times, distinct, txn.invoke);
      if (before >= 0) edges.add(firstNode + before, t, edgeRt, noKey);
    }
  }
}

function edgeName(kind: number): string {
  if (kind === edgeWw) return 'ww';
  if (kind === edgeWr) return 'wr';
  if (kind === edgeRw) return 'rw';
  return 'rt';
}

/** The index of the last of `times[0..length)` (sorted, distinct) that is below `time`, or -1. */
function lastBelow(times: Float64Array, length: number, time: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (at(times, middle) < time) low = middle + 1;
    else high = middle;
  }
  return low - 1;
}

/** First capacity of the edge arrays; they double when full. */
const edgeCapacityInitial = 1024;

/** Edges gathered in insertion order, then packed into compressed sparse rows. */
class EdgeList {
  private count = 0;
  private from = new Int32Array(edgeCapacityInitial);
  private to = new Int32Array(edgeCapacityInitial);
  private kind = new Uint8Array(edgeCapacityInitial);
  private key = new Float64Array(edgeCapacityInitial);

  constructor(private nodeCount: number) {}

  addNode(): number {
    return this.addNodes(1);
  }

  /** Adds `count` nodes that are not transactions; returns the first one's number. */
  addNodes(count: number): number {
    const first = this.nodeCount;
    this.nodeCount += count;
    return first;
  }

  /**
   * Self-edges say nothing about order (a transaction that read a list and then appended to it
   * anti-depends on itself), so they are dropped here rather than at every call site.
   */
  add(from: number, to: number, kind: number, key: number): void {
    if (from === to) return;
    if (this.count === this.from.length) this.grow();
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.kind[this.count] = kind;
    this.key[this.count] = key;
    this.count++;
  }

  private grow(): void {
    const capacity = 2 * this.from.length;
    const from = new Int32Array(capacity);
    const to = new Int32Array(capacity);
    const kind = new Uint8Array(capacity);
    const key = new Float64Array(capacity);
    from.set(this.from);
    to.set(this.to);
    kind.set(this.kind);
    key.set(this.key);
    this.from = from;
    this.to = to;
    this.kind = kind;
    this.key = key;
  }

  toGraph(transactionCount: number): Graph {
    const edgeCount = this.count;
    const offsets = new Int32Array(this.nodeCount + 1);
    for (let e = 0; e < edgeCount; e++) {
      const from = at(this.from, e);
      offsets[from + 1] = at(offsets, from + 1) + 1;
    }
    for (let v = 0; v < this.nodeCount; v++) offsets[v + 1] = at(offsets, v + 1) + at(offsets, v);
    const cursor = offsets.slice(0, this.nodeCount);
    const sources = new Int32Array(edgeCount);
    const targets = new Int32Array(edgeCount);
    const kinds = new Uint8Array(edgeCount);
    const keys = new Float64Array(edgeCount);
    for (let e = 0; e < edgeCount; e++) {
      const from = at(this.from, e);
      const slot = at(cursor, from);
      cursor[from] = slot + 1;
      sources[slot] = from;
      targets[slot] = at(this.to, e);
      kinds[slot] = at(this.kind, e);
      keys[slot] = at(this.key, e);
    }
    return { nodeCount: this.nodeCount, transactionCount, offsets, sources, targets, kinds, keys };
  }
}

interface CyclicComponent {
  /** Component number of every node, from the Tarjan pass. */
  readonly component: Int32Array;
  /** The lowest-numbered transaction in the first component found with more than one node. */
  readonly start: number;
}

/**
 * Tarjan's strongly connected components over the edges whose kind is in `mask`, with explicit
 * stacks. Returns the first component with more than one node (there are no self-edges, so that
 * is exactly a component with a cycle), or undefined when the masked graph is acyclic.
 */
function stronglyConnected(graph: Graph, mask: number): CyclicComponent | undefined {
  const { nodeCount, offsets, targets, kinds } = graph;
  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const component = new Int32Array(nodeCount).fill(-1);
  const onStack = new Uint8Array(nodeCount);
  const stack = new Int32Array(nodeCount);
  const callNode = new Int32Array(nodeCount);
  const callEdge = new Int32Array(nodeCount);
  let stackTop = 0;
  let callTop = 0;
  let counter = 0;
  let components = 0;
  let cyclic = -1;
  const enter = (v: number): void => {
    index[v] = counter;
    low[v] = counter;
    counter++;
    stack[stackTop++] = v;
    onStack[v] = 1;
    callNode[callTop] = v;
    callEdge[callTop] = at(offsets, v);
    callTop++;
  };
  for (let root = 0; root < nodeCount && cyclic < 0; root++) {
    if (at(index, root) >= 0) continue;
    enter(root);
    while (callTop > 0) {
      const v = at(callNode, callTop - 1);
      const e = at(callEdge, callTop - 1);
      if (e < at(offsets, v + 1)) {
        callEdge[callTop - 1] = e + 1;
        if ((at(kinds, e) & mask) === 0) continue;
        const w = at(targets, e);
        if (at(index, w) < 0) enter(w);
        else if (at(onStack, w) === 1) low[v] = Math.min(at(low, v), at(index, w));
        continue;
      }
      callTop--;
      if (callTop > 0) {
        const parent = at(callNode, callTop - 1);
        low[parent] = Math.min(at(low, parent), at(low, v));
      }
      if (at(low, v) !== at(index, v)) continue;
      let size = 0;
      let w: number;
      do {
        w = at(stack, --stackTop);
        onStack[w] = 0;
        component[w] = components;
        size++;
      } while (w !== v);
      if (size > 1 && cyclic < 0) cyclic = components;
      components++;
    }
  }
  if (cyclic < 0) return undefined;
  for (let t = 0; t < graph.transactionCount; t++) {
    if (at(component, t) === cyclic) return { component, start: t };
  }
  throw new Error('BUG: a cyclic component holds no transaction');
}

/**
 * A shortest cycle through `start` inside its component, by BFS over the edges in `mask`; returns
 * the cycle's edges in order. Every node of a component with a cycle lies on one, so the search
 * cannot fail.
 */
function findCycle(
  graph: Graph,
  component: Int32Array,
  start: number,
  mask: number,
): readonly number[] {
  const { offsets, targets, kinds, sources } = graph;
  const home = at(component, start);
  const parentEdge = new Int32Array(graph.nodeCount).fill(-1);
  const queue = new Int32Array(graph.nodeCount);
  let head = 0;
  let tail = 0;
  queue[tail++] = start;
  while (head < tail) {
    const v = at(queue, head++);
    for (let e = at(offsets, v); e < at(offsets, v + 1); e++) {
      if ((at(kinds, e) & mask) === 0) continue;
      const w = at(targets, e);
      if (at(component, w) !== home) continue;
      if (w === start) {
        const cycle = [e];
        for (let u = v; u !== start;) {
          const back = at(parentEdge, u);
          cycle.push(back);
          u = at(sources, back);
        }
        return cycle.reverse();
      }
      if (at(parentEdge, w) >= 0) continue;
      parentEdge[w] = e;
      queue[tail++] = w;
    }
  }
  throw new Error('BUG: no cycle through a node of a cyclic component');
}
