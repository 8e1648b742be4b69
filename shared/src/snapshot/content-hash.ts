/**
 * The snapshot content hash is a SHA-256 chain over the record lines:
 *   H0 = 32 zero bytes;  Hi = SHA-256(H(i-1) || line_i)   (line_i = canonical JSON + "\n", UTF-8)
 * and `contentSha256` = hex(Hn). It depends only on the records and their order, never on where
 * chunks start, and its whole state is 32 bytes, so a resumed writer (a new process, a new Forge
 * invocation) continues it from a checkpoint. node's Hash objects cannot be serialised; this can.
 */
import crypto, { createHash } from 'node:crypto';

const NEWLINE = 0x0a;

export const CONTENT_HASH_INITIAL = '0'.repeat(64);

// Node ≥ 20.12 hashes a buffer in one call without a Hash object (a million lines, a million fewer
// native objects for the GC); older runtimes (a Forge runtime, say) use createHash.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer }).hash;
let scratch = Buffer.alloc(0);

/** SHA-256(state || line) */
function chainStep(state: Buffer, line: Uint8Array): Buffer {
  if (!oneShot) return createHash('sha256').update(state).update(line).digest();
  const size = state.length + line.length;
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
  state.copy(scratch, 0);
  scratch.set(line, state.length);
  return oneShot('sha256', scratch.subarray(0, size), 'buffer');
}

export class ContentHashChain {
  private state: Buffer;

  constructor(stateHex: string = CONTENT_HASH_INITIAL) {
    if (!/^[0-9a-f]{64}$/.test(stateHex)) throw new TypeError('content hash state must be 64 lowercase hex characters');
    this.state = Buffer.from(stateHex, 'hex');
  }

  /** Adds one record line; `line` must include its terminating newline. */
  add(line: Uint8Array): void {
    this.state = chainStep(this.state, line);
  }

  /** Adds every line of `lines`, which must end with a newline: the same as adding them one by one. */
  addLines(lines: Uint8Array): void {
    let start = 0;
    for (let end = lines.indexOf(NEWLINE); end >= 0; end = lines.indexOf(NEWLINE, start)) {
      this.state = chainStep(this.state, lines.subarray(start, end + 1));
      start = end + 1;
    }
    if (start !== lines.length) throw new TypeError('content hash input must end with a newline');
  }

  get hex(): string {
    return this.state.toString('hex');
  }
}
