/**
 * One heap's memory as seen by one worker: the `SharedArrayBuffer`, its geometry and fixed-length
 * typed views over all of it.
 *
 * The buffer is reserved at its full size up front and committed lazily by the OS: pages are
 * resident only once touched, and the allocator touches the lowest superblocks first. Views are
 * fixed-length (never length-tracking): measured ~20× faster for plain reads on Node 20.
 */
import { HeapLayoutError, limits } from '../base/index.js';
import { headerWord, readHeader, writeHeader } from './header.js';
import { geometryFor, type HeapGeometry } from './layout.js';

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new HeapLayoutError('shared-objects needs a little-endian platform');
  }
}

function randomHeapId(): number {
  const id = new Int32Array(1);
  while (id[0] === 0) crypto.getRandomValues(id);
  return id[0] ?? 1;
}

export class HeapMemory {
  readonly buffer: SharedArrayBuffer;
  readonly geometry: HeapGeometry;
  readonly heapId: number;
  /** How long a worker may hold reclamation back before it is neutralised (header field). */
  readonly reclaimStallMs: number;
  readonly i32: Int32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
  readonly f64: Float64Array;
  readonly b64: BigInt64Array;

  private constructor(buffer: SharedArrayBuffer, geometry: HeapGeometry) {
    this.buffer = buffer;
    this.geometry = geometry;
    const length = geometry.totalBytes;
    this.i32 = new Int32Array(buffer, 0, length / 4);
    this.u16 = new Uint16Array(buffer, 0, length / 2);
    this.u8 = new Uint8Array(buffer, 0, length);
    this.f64 = new Float64Array(buffer, 0, length / 8);
    this.b64 = new BigInt64Array(buffer, 0, length / 8);
    this.heapId = this.i32[headerWord.heapId] ?? 0;
    this.reclaimStallMs = this.i32[headerWord.reclaimStallMs] ?? 0;
  }

  /** A new heap of at most `maxBytes` (rounded down to whole superblocks). */
  static create(
    maxBytes: number,
    reclaimStallMs: number = limits.reclaimStallMsDefault,
  ): HeapMemory {
    assertLittleEndian();
    if (!Number.isSafeInteger(maxBytes) || maxBytes < limits.heapBytesMin) {
      throw new RangeError(`maxBytes must be an integer ≥ ${limits.heapBytesMin}, got ${maxBytes}`);
    }
    if (maxBytes > limits.heapBytesMax) {
      throw new RangeError(`maxBytes must be ≤ ${limits.heapBytesMax} (8 GiB), got ${maxBytes}`);
    }
    if (!Number.isInteger(reclaimStallMs) || reclaimStallMs < 1 || reclaimStallMs > 2 ** 30) {
      throw new RangeError(`reclaimStallMs must be a positive integer, got ${reclaimStallMs}`);
    }
    const geometry = geometryFor(maxBytes);
    const buffer = new SharedArrayBuffer(geometry.totalBytes);
    writeHeader(new Int32Array(buffer, 0, 1024), geometry, {
      heapId: randomHeapId(),
      reclaimStallMs,
    });
    return new HeapMemory(buffer, geometry);
  }

  /** The same heap, in another worker: checks magic, layout version and geometry first. */
  static attach(buffer: SharedArrayBuffer): HeapMemory {
    assertLittleEndian();
    return new HeapMemory(buffer, readHeader(buffer));
  }
}
