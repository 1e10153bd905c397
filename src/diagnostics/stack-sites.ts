/**
 * Sites from stacks: the user's source lines in a captured stack, with the library's own frames
 * left out. A stack is text (`Error.prototype.stack`, V8's format, which Node, Chrome, Deno and
 * Bun share): under tsx or `--enable-source-maps` its positions are already TypeScript's; a
 * report maps the others later (source-sites.ts). Frames that do not parse are skipped.
 */
import type { SourceSite } from './log-records.js';

/** Frames captured per stack: enough to climb out of the engine to the user's caller. */
const stackFrames = 40;
/** User frames kept per record (the site and its callers). */
export const userFramesKept = 4;

/**
 * The library's own directory (the parent of `diagnostics/`: `src/` under tsx, `dist/` when
 * built), as the path that stack frames show. Frames under it are the library's, not the user's.
 */
const libraryRoot = toPath(new URL('../', import.meta.url).href);
/**
 * The demo's workload (cli/demo/: the word count's task module) ships inside the library but
 * stands for user code: its lines are the sites the demo's conflict report must show.
 */
const demoRoot = toPath(new URL('../cli/demo/', import.meta.url).href);

function toPath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return location;
  }
}

// "    at name (location:line:column)" or "    at location:line:column"; "async " may lead.
const framePattern = /^\s*at (?:async )?(?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;

/** The frames of a stack's text, user frames only, top first. */
export function userFrames(stack: string): SourceSite[] {
  const sites: SourceSite[] = [];
  for (const line of stack.split('\n')) {
    const match = framePattern.exec(line);
    if (match === null) continue;
    const [, name, location = '', lineText = '0', columnText = '0'] = match;
    const file = toPath(location);
    if (isLibraryOrRuntime(file)) continue;
    const site: SourceSite =
      name === undefined || name === '<anonymous>'
        ? { file, line: Number(lineText), column: Number(columnText) }
        : { file, line: Number(lineText), column: Number(columnText), function: name };
    sites.push(site);
    if (sites.length === userFramesKept) break;
  }
  return sites;
}

function isLibraryOrRuntime(file: string): boolean {
  return (
    (file.startsWith(libraryRoot) && !file.startsWith(demoRoot)) ||
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file === 'native' ||
    file.includes('/node_modules/tsx/')
  );
}

/** The stack of the caller, as text, deep enough to reach past the library's frames. */
export function captureStack(): string {
  const holder = Error as { stackTraceLimit?: number };
  const limit = holder.stackTraceLimit;
  holder.stackTraceLimit = stackFrames;
  const stack = new Error().stack ?? '';
  if (limit === undefined) delete holder.stackTraceLimit;
  else holder.stackTraceLimit = limit;
  return stack;
}

/** `file:line` with the file's last path part: how reports name a site in short. */
export function shortSite(site: SourceSite | undefined): string {
  if (site === undefined) return 'unknown site';
  const slash = site.file.lastIndexOf('/');
  return `${site.file.slice(slash + 1)}:${String(site.line)}`;
}
