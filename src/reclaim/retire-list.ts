/**
 * This worker's retired blocks: values replaced in shared objects that another worker may still be
 * reading, so they cannot be freed yet.
 *
 * Until epoch-based reclamation lands (the reclamation issue), retired blocks are only kept here
 * and counted — never freed — which is safe (no worker can read freed memory) at the cost of memory
 * that grows with every replaced string, bigint or snapshot. Replacing a number, boolean, null,
 * undefined or a reference to a shared object retires nothing.
 */
import type { Handle } from '../base/index.js';

export class RetireList {
  private readonly handles: Handle[] = [];
  private bytes = 0;

  retire(handle: Handle, blockBytes: number): void {
    this.handles.push(handle);
    this.bytes += blockBytes;
  }

  get retiredBlocks(): number {
    return this.handles.length;
  }

  get retiredBytes(): number {
    return this.bytes;
  }
}
