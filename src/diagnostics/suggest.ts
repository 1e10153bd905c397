/**
 * The suggested fix of a conflict group, chosen from what the log shows of it: its kind, the
 * place (object and part), whether both sides run the same line, how long the losing attempts
 * ran, and whether `TransactionQueue` tasks were involved. First rule that matches wins.
 */
import type { ConflictKind, SourceSite } from './log-records.js';
import type { Suggestion } from './report-model.js';
import { shortSite } from './stack-sites.js';

export interface SuggestionEvidence {
  readonly kind: ConflictKind;
  readonly object: string;
  readonly part: string;
  readonly key: string | undefined;
  readonly site: SourceSite | undefined;
  /** The callers below this side's site (the first record's). */
  readonly frames: readonly SourceSite[] | undefined;
  readonly otherSite: SourceSite | undefined;
  readonly count: number;
  readonly lostMs: number;
  readonly tasks: readonly string[];
}

/** A losing attempt that ran this long (ms, on average) is a long one. */
const longAttemptMs = 2;
/** Parts that hold a value a transaction reads and writes back. */
const valueParts = new Set(['value', 'element', 'field']);
/** Parts that change when a collection grows or a neighbour key comes or goes. */
const structureParts = new Set(['table', 'bucket', 'link', 'segments', 'length']);

function sameLine(a: SourceSite | undefined, b: SourceSite | undefined): boolean {
  return a !== undefined && a.file === b?.file && a.line === b.line;
}

export function suggestFix(evidence: SuggestionEvidence): Suggestion {
  const { kind, object, part, key, site, frames, otherSite, count, lostMs, tasks } = evidence;
  const averageMs = count === 0 ? 0 : lostMs / count;
  if (kind === 'inevitable') {
    return {
      code: 'move-io',
      text:
        'The other side ran inevitable (inevitable(), or I/O that needs it) while this one ' +
        'waited or aborted: do the I/O before the transaction, or after it commits, so the ' +
        'inevitable part stays short.',
    };
  }
  const place = key === undefined ? `this ${object}'s ${part}` : `${object} key ${key}`;
  // Both sides run the same code (the other's line is this side's, or one of its callers: the
  // same atomically call): one read-modify-write racing itself. A short one on a cell too.
  const racesItself =
    sameLine(site, otherSite) || (frames ?? []).some((frame) => sameLine(frame, otherSite));
  if (valueParts.has(part) && (racesItself || (object === 'cell' && averageMs < 1))) {
    const counterText =
      object === 'map'
        ? `make the map's values counters (heap.counter(), then map.get(key).add(n))`
        : 'make it a heap.counter() (counter.add(n))';
    return {
      code: 'counter',
      text:
        `Transactions read ${place} and write it back (${shortSite(site)}): if it ` +
        `is a count or a sum, ${counterText} — adds commute and never conflict.`,
    };
  }
  if (structureParts.has(part)) {
    return {
      code: 'prefill',
      text:
        `The ${object}'s structure (${part}) changed under this transaction: it was growing, ` +
        'or keys of one bucket came and went. Insert the keys before the parallel phase when ' +
        'you can, or keep such transactions short.',
    };
  }
  if (kind === 'write-read' && averageMs >= longAttemptMs) {
    return {
      code: 'snapshot',
      text:
        `A long transaction (${averageMs.toFixed(1)} ms per attempt) reads ${place} and loses ` +
        'to shorter writers: if it only reads, iterate outside atomically — iteration there ' +
        'sees one consistent snapshot and keeps no read set — or split it into smaller ' +
        'transactions.',
    };
  }
  if (object === 'cell' && averageMs >= longAttemptMs) {
    return {
      code: 'shared-map',
      text:
        'One cell holds a value that transactions rewrite whole: store it as a heap.map(), ' +
        'heap.array() or heap.object(), so transactions that touch different parts of it do ' +
        'not conflict.',
    };
  }
  if (tasks.length !== 0 && key !== undefined) {
    return {
      code: 'key-by-task',
      text:
        `TransactionQueue tasks (${tasks.slice(0, 3).join(', ')}) meet on ${place}: add them ` +
        'with queue.addKeyed(key, …) so that tasks of one key run on one worker, one after ' +
        'the other.',
    };
  }
  return {
    code: 'shorten',
    text:
      'Do less inside the transaction: compute outside it, then read and write the shared ' +
      'state in a short atomically.',
  };
}
