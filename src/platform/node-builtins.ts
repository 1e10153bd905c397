/**
 * Node's built-in modules for the Node-only edges (the worker pool and its workers), taken with
 * `process.getBuiltinModule` when first needed rather than imported: the package's root module
 * re-exports the pool, and a static `import 'node:worker_threads'` would make the whole package
 * fail to load where there is no Node (a browser). Deno and Bun provide the same call. Only
 * using the pool there fails, with an error that says why.
 */
import type * as NodeFs from 'node:fs';
import type * as NodeModule from 'node:module';
import type * as NodeOs from 'node:os';
import type * as NodePath from 'node:path';
import type * as NodeUrl from 'node:url';
import type * as NodeWorkerThreads from 'node:worker_threads';

interface Builtins {
  'node:fs': typeof NodeFs;
  'node:module': typeof NodeModule;
  'node:os': typeof NodeOs;
  'node:path': typeof NodePath;
  'node:url': typeof NodeUrl;
  'node:worker_threads': typeof NodeWorkerThreads;
}

/** The type of Node built-in module `Id` (for the edges that take it through `nodeBuiltin`). */
export type NodeBuiltin<Id extends keyof Builtins> = Builtins[Id];

interface NodeProcessLike {
  getBuiltinModule?: (id: string) => unknown;
  env?: Record<string, string | undefined>;
}

/** The built-in module `id`, or undefined where there are no Node built-ins (a browser). */
export function nodeBuiltinIfAny<Id extends keyof Builtins>(id: Id): Builtins[Id] | undefined {
  const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;
  return nodeProcess?.getBuiltinModule?.(id) as Builtins[Id] | undefined;
}

/** An environment variable of the process (Node, Deno and Bun), or undefined (a browser). */
export function environmentVariable(name: string): string | undefined {
  const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;
  const value = nodeProcess?.env?.[name];
  return value === '' ? undefined : value;
}

/** The built-in module `id`; throws if this runtime has no Node built-ins. */
export function nodeBuiltin<Id extends keyof Builtins>(id: Id): Builtins[Id] {
  const nodeProcess = (globalThis as { process?: NodeProcessLike }).process;
  const found = nodeProcess?.getBuiltinModule?.(id);
  if (found === undefined) {
    throw new Error(
      `${id} is not available: the worker pool needs Node ≥ 20.16 (or Deno, Bun) worker threads`,
    );
  }
  return found as Builtins[Id];
}
