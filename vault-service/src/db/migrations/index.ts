/**
 * Every migration, in order. An explicit list instead of a folder scan: bundlers and `tsx` both see
 * the imports, and a missing file fails the type check instead of silently skipping a migration.
 * Append new entries at the end; never edit or reorder an applied one.
 */
import type { Migration } from 'kysely';
import * as m0001 from './0001-core.js';
import * as m0002 from './0002-sessions.js';
import * as m0003 from './0003-backups.js';
import * as m0004 from './0004-browse.js';
import * as m0005 from './0005-retention-credentials.js';
import * as m0006 from './0006-vault-backup-jobs.js';
import * as m0007 from './0007-browse-per-backup.js';
import * as m0008 from './0008-vault-backup-resume.js';
import * as m0015 from './0015-backup-open-body-hash.js';
import * as m0016 from './0016-vault-backup-job-error-code.js';
import * as m0017 from './0017-backup-trash.js';
import * as m0018 from './0018-restore-jobs.js';
import * as m0022 from './0022-target-instances.js';
import * as m0023 from './0023-pacing.js';

export const migrations: Record<string, Migration> = {
  '0001-core': m0001,
  '0002-sessions': m0002,
  '0003-backups': m0003,
  '0004-browse': m0004,
  '0005-retention-credentials': m0005,
  '0006-vault-backup-jobs': m0006,
  '0007-browse-per-backup': m0007,
  '0008-vault-backup-resume': m0008,
  // 0010–0014 are the restore module's (branch h5)
  '0015-backup-open-body-hash': m0015,
  '0016-vault-backup-job-error-code': m0016,
  '0017-backup-trash': m0017,
  '0018-restore-jobs': m0018,
  '0022-target-instances': m0022,
  '0023-pacing': m0023,
};
