/** A schema and one of its backups, looked up by the ids in the URL (for headers and breadcrumbs). */
import { vault, type BackupRow, type SchemaSummary } from '../api/vault.js';
import { ApiError } from '../api/http.js';
import { useResource } from './use-resource.js';

export function useSchema(schemaId: string) {
  return useResource(
    async (signal) => {
      const { items } = await vault.listSchemas({ signal });
      const schema = items.find((s) => s.schemaId === schemaId);
      if (!schema) throw new ApiError(404, 'not_found', 'This schema is not backed up on your site.');
      return schema;
    },
    [schemaId],
  );
}

export function useBackupOfSchema(schemaId: string, backupId: string) {
  return useResource(
    async (signal): Promise<{ schema: SchemaSummary; backup: BackupRow; backups: BackupRow[] }> => {
      const [{ items: schemas }, { items: backups }] = await Promise.all([
        vault.listSchemas({ signal }),
        vault.listBackups(schemaId, {}, { signal }),
      ]);
      const schema = schemas.find((s) => s.schemaId === schemaId);
      const backup = backups.find((b) => b.id === backupId);
      if (!schema || !backup)
        throw new ApiError(404, 'not_found', 'This backup does not exist (it may have been deleted).');
      return { schema, backup, backups };
    },
    [schemaId, backupId],
  );
}

export const backupTitle = (b: Pick<BackupRow, 'n'>) => `Backup ${b.n}`;
export const schemaPath = (schemaId: string) => `/schemas/${encodeURIComponent(schemaId)}`;
export const backupPath = (schemaId: string, backupId: string) =>
  `${schemaPath(schemaId)}/backups/${encodeURIComponent(backupId)}`;
export const objectPath = (schemaId: string, backupId: string, objectId: string) =>
  `${backupPath(schemaId, backupId)}/objects/${encodeURIComponent(objectId)}`;
export const definitionsPath = (schemaId: string, backupId: string) => `${backupPath(schemaId, backupId)}/definitions`;
export const comparePath = (schemaId: string, backupId: string, against: string) =>
  `${backupPath(schemaId, backupId)}/compare?against=${encodeURIComponent(against)}`;
