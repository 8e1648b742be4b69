/** A restore row as the restores module writes it, for suites that only need "a restore reads this backup". */
import type { Executor } from '../../src/db/types.js';
import { insertRestoreJob } from '../../src/modules/restores/repository.js';

export function insertTestRestore(db: Executor, siteId: string, backupId: string): Promise<string> {
  return insertRestoreJob(db, siteId, {
    backupId,
    backupCreatedAt: new Date(),
    source: { schemaId: '1', schemaName: 'S', schemaKey: 'S', siteUrl: 'https://s.example.test' },
    destination: { kind: 'current-instance', siteUrl: 'https://s.example.test', schemaName: 'T', schemaKey: 'TT' },
    target: { kind: 'site' },
    options: { objectIcons: false, history: false },
    createdBy: 'test',
    now: new Date(),
  });
}
