#!/usr/bin/env node
/**
 * The `shared-objects` command (package.json `bin`): `demo`, `report <log>`, `run <module>`.
 * Every error the user can cause is one line on stderr, `shared-objects: <message>`, and an exit
 * code: 2 for a command line it cannot act on (with a pointer to --help), 1 for a command that
 * failed. Stack traces only with --debug or SHARED_OBJECTS_DEBUG=1.
 */
import { inspect } from 'node:util';
import { demoCommand } from './commands/demo.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { CommandFailure, exitCode, oneLine, UsageError } from './errors.js';
import { packageVersion, topUsage } from './usage.js';

const commands: Readonly<Record<string, (args: readonly string[]) => void | Promise<void>>> = {
  demo: demoCommand,
  report: reportCommand,
  run: runCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('a command is needed: demo, report or run');
  if (command === '-h' || command === '--help') {
    process.stdout.write(`${topUsage}\n`);
    return exitCode.ok;
  }
  if (command === '--version') {
    process.stdout.write(`${packageVersion()}\n`);
    return exitCode.ok;
  }
  if (command === '--debug') return main(rest);
  const run = Object.hasOwn(commands, command) ? commands[command] : undefined;
  if (run === undefined) {
    const what = command.startsWith('-') ? 'option' : 'command';
    throw new UsageError(`unknown ${what} '${command}'`);
  }
  await run(rest);
  return exitCode.ok;
}

function report(error: unknown, debug: boolean): number {
  let line = oneLine(error);
  if (error instanceof UsageError) {
    line += ` (see shared-objects ${error.command === undefined ? '' : `${error.command} `}--help)`;
  } else if (!(error instanceof CommandFailure) && !debug) {
    // Not an error the CLI expects: its stack is worth having, on request.
    line += ' (--debug shows where)';
  }
  process.stderr.write(`shared-objects: ${line}\n`);
  if (debug) process.stderr.write(`${stacks(error)}\n`);
  return error instanceof UsageError ? exitCode.usage : exitCode.failure;
}

/** The error's stack and its causes', for --debug. */
function stacks(error: unknown): string {
  const lines: string[] = [];
  let current = error;
  for (let depth = 0; depth < causeDepthMax && current !== undefined; depth += 1) {
    const text = current instanceof Error ? String(current.stack) : inspect(current);
    lines.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

/** Causes shown by --debug, at most (a cycle of causes must not loop). */
const causeDepthMax = 8;

// A reader that stops early (`shared-objects report x.log | head`) closes the pipe: stop quietly,
// as other Unix tools do, instead of an unhandled EPIPE and its stack.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(exitCode.ok);
  process.stderr.write(`shared-objects: cannot write the output: ${oneLine(error)}\n`);
  process.exit(exitCode.failure);
});

const argv = process.argv.slice(2);
const debug = argv.includes('--debug') || process.env['SHARED_OBJECTS_DEBUG'] === '1';
try {
  process.exitCode = await main(argv);
} catch (error) {
  process.exitCode = report(error, debug);
}
