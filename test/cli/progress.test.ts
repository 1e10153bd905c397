// The CLI's progress display on a stream that is a terminal and on one that is not.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { startProgress } from '../../src/cli/progress.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const chunks: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  Object.assign(stream, { isTTY, columns: 120 });
  return { stream: stream as unknown as NodeJS.WriteStream, written: () => chunks.join('') };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('not a terminal: one plain line for a completed run, none for a failed one', async () => {
  const completed = fakeStream(false);
  const progress = startProgress({ label: '2 workers', aborts: () => 3, stream: completed.stream });
  progress.update({ executed: 10, remaining: 90, elapsedMs: 100 });
  progress.update({ executed: 100, remaining: 0, elapsedMs: 500 });
  progress.finish(true);
  await flush();
  assert.equal(completed.written(), '2 workers: 100 tasks in 0.50 s, 200 tasks/s, 3 aborts\n');

  const failed = fakeStream(false);
  const failing = startProgress({ label: 'run', aborts: () => 0, stream: failed.stream });
  failing.update({ executed: 1, remaining: 5, elapsedMs: 10 });
  failing.finish(false);
  await flush();
  assert.equal(failed.written(), '');
});

test('a terminal: a bar with tasks, rate and aborts, and the cursor given back', async () => {
  const terminal = fakeStream(true);
  const sigintListeners = process.listenerCount('SIGINT');
  const progress = startProgress({ label: 'run', aborts: () => 7, stream: terminal.stream });
  progress.update({ executed: 50, remaining: 50, elapsedMs: 1000 });
  progress.finish(true);
  progress.finish(true);
  await flush();
  const text = terminal.written();
  assert.match(text, /run +█+░+ 50\/100 tasks \| 50 tasks\/s \| 7 aborts/);
  assert.ok(text.includes('\u001b[?25h'), 'the cursor is shown again');
  assert.equal(process.listenerCount('SIGINT'), sigintListeners, 'the Ctrl-C handler is removed');
});
