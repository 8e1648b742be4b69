/**
 * The snapshot content hash is a SHA-256 chain over the record lines:
 *   H0 = 32 zero bytes;  Hi = SHA-256(H(i-1) || line_i)   (line_i = canonical JSON + "\n", UTF-8)
 * and `contentSha256` = hex(Hn). It depends only on the records and their order, never on where
 * chunks start, and its whole state is 32 bytes, so a resumed writer (a new process, a new Forge
 * invocation) continues it from a checkpoint. node's Hash objects cannot be serialised; this can.
 */
import { createHash } from 'node:crypto';

const NEWLINE = 0x0a;

export const CONTENT_HASH_INITIAL = '0'.repeat(64);

export class ContentHashChain {
  private state: Buffer;

  constructor(stateHex: string = CONTENT_HASH_INITIAL) {
    if (!/^[0-9a-f]{64}$/.test(stateHex)) throw new TypeError('content hash state must be 64 lowercase hex characters');
    this.state = Buffer.from(stateHex, 'hex');
  }

  /** Adds one record line; `line` must include its terminating newline. */
  add(line: Uint8Array): void {
    this.state = createHash('sha256').update(this.state).update(line).digest();
  }

  /** Adds every line of `lines`, which must end with a newline: the same as adding them one by one. */
  addLines(lines: Uint8Array): void {
    let start = 0;
    for (let end = lines.indexOf(NEWLINE); end >= 0; end = lines.indexOf(NEWLINE, start)) {
      this.state = createHash('sha256').update(this.state).update(lines.subarray(start, end + 1)).digest();
      start = end + 1;
    }
    if (start !== lines.length) throw new TypeError('content hash input must end with a newline');
  }

  get hex(): string {
    return this.state.toString('hex');
  }
}
