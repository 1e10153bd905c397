/**
 * The script every pool worker starts with (workers/pool.ts starts it): attaches the heap with
 * api/'s `Heap` and serves calls (workers/pool-worker-loop.ts). It lives in api/ because the
 * workers layer sits below `Heap`; its path is resolved next to api/workers.ts, so it is found
 * from src/ (TypeScript, through tsx) and from dist/ (built JavaScript) alike.
 */
import { servePool } from '../workers/index.js';
import { Heap } from './heap.js';

await servePool((handle) => Heap.attach(handle));
