import { AppError } from '../errors.js';

export type SnapshotIntegrityCode =
  | 'unsupported_format_version'
  | 'invalid_manifest'
  | 'chunk_sequence_invalid'
  | 'missing_chunk'
  | 'chunk_size_mismatch'
  | 'chunk_hash_mismatch'
  | 'chunk_corrupt'
  | 'chunk_too_large'
  | 'chunk_record_count_mismatch'
  | 'invalid_record'
  | 'content_hash_mismatch'
  | 'count_mismatch';

/**
 * A snapshot (or one chunk of it) is not what its manifest says. `code` names the failed check and
 * `seq` the chunk, when one is to blame. Messages never quote record contents.
 */
export class SnapshotIntegrityError extends AppError {
  override name = 'SnapshotIntegrityError';
  override readonly code: SnapshotIntegrityCode;
  readonly seq: number | undefined;
  constructor(code: SnapshotIntegrityCode, message: string, options?: { seq?: number; cause?: unknown }) {
    super(code, message, 422, {
      cause: options?.cause,
      details: options?.seq === undefined ? undefined : { seq: options.seq },
    });
    this.code = code;
    this.seq = options?.seq;
  }
}

/** A record handed to the writer does not match its kind's schema (a bug upstream, not bad input). */
export class InvalidSnapshotRecordError extends AppError {
  override name = 'InvalidSnapshotRecordError';
  constructor(message: string, details?: unknown) {
    super('invalid_snapshot_record', message, 500, { details });
  }
}
