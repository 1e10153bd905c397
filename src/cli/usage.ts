/** The top-level help and the version, read from the package's package.json. */
import { readFileSync } from 'node:fs';

export const topUsage = `usage: shared-objects <command> [options]

commands:
  demo              word count on a worker pool: speed-up, checked counts, top conflicts
  report <log>      the conflict report of a recorded conflict log (text, or --html <file>)
  run <module>      run a module's TransactionQueue (its exported setup adds the tasks)

options:
  -h, --help        this text; 'shared-objects <command> --help' for a command's options
  --version         the package's version
  --debug           show the stack of an error (also SHARED_OBJECTS_DEBUG=1)`;

/** The version in package.json: two levels up from src/cli/ and from dist/cli/ alike. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
