// The `shared-objects` command as a user meets it: spawned as a child process (through tsx, so
// that the unit suite needs no build), its exit codes, and the one line it prints on an error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test', 'cli', 'fixtures');
const scratch = mkdtempSync(join(tmpdir(), 'shared-objects-cli-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const commandTimeoutMs = 60_000;

function cli(...args: string[]): Promise<Outcome> {
  const env = { ...process.env };
  delete env['SHARED_OBJECTS_DEBUG'];
  delete env['SHARED_OBJECTS_LOG'];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--require', './scripts/register-tsx.cjs', 'src/cli/main.ts', ...args],
      { cwd: root, env, timeout: commandTimeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A failure as the user must see it: the exit code and one line, no stack. */
function assertOneLine(outcome: Outcome, code: number, pattern: RegExp): void {
  assert.equal(outcome.code, code, `exit code (stderr: ${outcome.stderr})`);
  const lines = outcome.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${outcome.stderr}`);
  assert.match(lines[0] ?? '', /^shared-objects: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(outcome.stderr, /^\s+at /m);
}

describe('help and version', () => {
  test('--help at the top level lists the commands', async () => {
    for (const flag of ['--help', '-h']) {
      const outcome = await cli(flag);
      assert.equal(outcome.code, 0);
      assert.match(outcome.stdout, /^usage: shared-objects <command>/);
      for (const command of ['demo', 'report', 'run'])
        assert.match(outcome.stdout, new RegExp(command));
      assert.equal(outcome.stderr, '');
    }
  });

  test('--help on each command shows its usage', async () => {
    for (const command of ['demo', 'report', 'run']) {
      const outcome = await cli(command, '--help');
      assert.equal(outcome.code, 0);
      assert.match(outcome.stdout, new RegExp(`^usage: shared-objects ${command}`));
      assert.equal(outcome.stderr, '');
    }
  });

  test('--version prints the package version', async () => {
    const outcome = await cli('--version');
    assert.equal(outcome.code, 0);
    assert.match(outcome.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('bad command lines: exit 2 and one line pointing to --help', () => {
  test('no command', async () => {
    assertOneLine(await cli(), 2, /a command is needed.*--help/);
  });

  test('an unknown command', async () => {
    assertOneLine(
      await cli('frobnicate'),
      2,
      /unknown command 'frobnicate' \(see shared-objects --help\)/,
    );
  });

  test('an unknown option, at the top level and on a command', async () => {
    assertOneLine(await cli('--frob'), 2, /unknown option '--frob'/);
    assertOneLine(await cli('demo', '--frob'), 2, /unknown option '--frob'.*demo --help/);
  });

  test('a missing argument or option value', async () => {
    assertOneLine(await cli('report'), 2, /report needs a conflict log file.*report --help/);
    assertOneLine(await cli('run'), 2, /run needs a module.*run --help/);
    assertOneLine(await cli('report', 'x.log', '--top'), 2, /option '--top' needs a value/);
  });

  test('a bad number and an extra argument', async () => {
    assertOneLine(await cli('demo', '--workers', 'many'), 2, /--workers must be a whole number/);
    assertOneLine(await cli('demo', '--megabytes', '0'), 2, /--megabytes must be a whole number/);
    assertOneLine(await cli('report', 'a.log', 'b.log'), 2, /unexpected argument 'b.log'/);
  });
});

describe('report: a log that cannot be read is one line and exit 1', () => {
  test('a missing file', async () => {
    const path = join(scratch, 'missing.log');
    assertOneLine(await cli('report', path), 1, /missing\.log/);
  });

  test('random bytes', async () => {
    const path = join(scratch, 'random.log');
    const bytes = Buffer.alloc(4096);
    // Deterministic noise, newlines included, so that it has lines that do not parse.
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 151 + 7) % 256;
    writeFileSync(path, bytes);
    assertOneLine(await cli('report', path), 1, /random\.log/);
  });

  test('JSON lines that are not log records', async () => {
    const path = join(scratch, 'not-records.log');
    writeFileSync(path, '{"hello":"world"}\n[1,2,3]\n{"t":"nonsense","time":"soon"}\n');
    assertOneLine(await cli('report', path), 1, /not-records\.log/);
  });

  test('an empty file', async () => {
    const path = join(scratch, 'empty.log');
    writeFileSync(path, '');
    assertOneLine(await cli('report', path), 1, /empty\.log/);
  });
});

describe('run', () => {
  test("runs a module's queue: setup adds the tasks, teardown checks them", async () => {
    const log = join(scratch, 'bank.log');
    const outcome = await cli('run', join(fixtures, 'bank.ts'), '--workers', '2', '--log', log);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /tasks: +300\n/);
    assert.match(outcome.stdout, /workers: +2\n/);
    assert.match(outcome.stdout, /teardown: +bank balanced: 8000 in 8 accounts/);
    assert.match(outcome.stdout, /whole report: +npx shared-objects report /);
    assert.doesNotMatch(outcome.stderr, /^\s+at /m);

    const report = await cli('report', log, '--top', '2');
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /^Conflict report: /);
    assert.equal(report.stderr, '');
  });

  test('report --html writes the page and says where', async () => {
    const log = join(scratch, 'bank-html.log');
    const html = join(scratch, 'bank.html');
    const run = await cli('run', join(fixtures, 'bank.ts'), '--workers', '2', '--log', log);
    assert.equal(run.code, 0, run.stderr);
    const report = await cli('report', log, '--html', html);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /html report: .*bank\.html/);
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/i);
  });

  test('a module without setup: one line, exit 1', async () => {
    assertOneLine(
      await cli('run', join(fixtures, 'no-setup.mjs'), '--log', join(scratch, 'no-setup.log')),
      1,
      /no-setup\.mjs exports no setup/,
    );
  });

  test("a task that throws: one line with the task's message, exit 1", async () => {
    const log = join(scratch, 'failing.log');
    assertOneLine(
      await cli('run', join(fixtures, 'failing-task.mjs'), '--workers', '1', '--log', log),
      1,
      /a task failed: account 7 is frozen/,
    );
  });

  test("--debug shows the stacks, the task's included", async () => {
    const log = join(scratch, 'failing-debug.log');
    const outcome = await cli(
      'run',
      join(fixtures, 'failing-task.mjs'),
      '--workers',
      '1',
      '--log',
      log,
      '--debug',
    );
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /^shared-objects: a task failed: account 7 is frozen\n/);
    assert.match(outcome.stderr, /caused by: Error: account 7 is frozen\n\s+at withdraw /);
  });

  test('a conflict log that cannot be written: one line, exit 1, before the run', async () => {
    const log = join(scratch, 'no-such-folder', 'bank.log');
    assertOneLine(
      await cli('run', join(fixtures, 'bank.ts'), '--log', log),
      1,
      /cannot write the conflict log .*bank\.log: its folder does not exist/,
    );
  });

  test('a module that does not exist: one line, exit 1', async () => {
    assertOneLine(await cli('run', 'test/cli/fixtures/nowhere.mjs'), 1, /module not found/);
  });
});

describe('demo', () => {
  test('counts a small corpus on 1 and 2 workers, checked, with the speed-up', async () => {
    const log = join(scratch, 'demo.log');
    const outcome = await cli('demo', '--megabytes', '1', '--log', log);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.match(outcome.stdout, /^speed-up: +\d+\.\d\d× on 2 workers/m);
    assert.match(outcome.stdout, /^counts checked: OK/m);
    assert.match(outcome.stdout, /^top words: +\S+ [\d,]+, /m);
    assert.match(outcome.stdout, /^Conflict report: .*demo\.log/m);
    assert.match(outcome.stdout, /^whole report: +npx shared-objects report .*demo\.log/m);
    // stderr is not a terminal here: a few plain lines, no control codes.
    assert.ok(!outcome.stderr.includes('\u001b['), 'no escape sequences');
    assert.ok(outcome.stderr.split('\n').length <= 6, outcome.stderr);
  });
});
