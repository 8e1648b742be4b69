import React from 'react';
import { Button, DynamicTable, Heading, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { SchemaSummary } from '../../contract';
import { formatDateTime, useResolver } from '../api';
import { VaultError } from './VaultError';

/** The vault's synced schemas (and any schema that still has backups), each with "Restore". */
export function VaultSchemas({ onRestore }: { onRestore: (schema: SchemaSummary) => void }) {
  const schemas = useResolver('listVaultSchemas', {});
  if (schemas.error)
    return <VaultError what="The schemas in the vault" message={schemas.error} onRetry={schemas.reload} />;
  if (!schemas.data) return <Spinner label="Loading the schemas in the vault" />;

  const rows = schemas.data.map((schema) => ({
    key: schema.schemaId,
    cells: [
      { key: 'name', content: schema.name },
      { key: 'key', content: schema.key },
      { key: 'objects', content: String(schema.objectCount) },
      {
        key: 'last',
        content: schema.lastBackup
          ? `${formatDateTime(schema.lastBackup.completedAt)} · ${schema.lastBackup.kind}`
          : 'Never',
      },
      { key: 'count', content: String(schema.backupsCount) },
      {
        key: 'actions',
        content: (
          <Button appearance="primary" onClick={() => onRestore(schema)}>
            Restore
          </Button>
        ),
      },
    ],
  }));

  return (
    <Stack space="space.200">
      <Heading as="h2">Synced schemas</Heading>
      <Text>Choose a schema to see its backups in the vault and restore one of them.</Text>
      {schemas.data.some((schema) => !schema.synced) && (
        <SectionMessage appearance="information">
          <Text>Schemas no longer backed up are listed while the vault still holds backups of them.</Text>
        </SectionMessage>
      )}
      <DynamicTable
        caption="Synced schemas"
        head={{
          cells: [
            { key: 'name', content: 'Schema' },
            { key: 'key', content: 'Key' },
            { key: 'objects', content: 'Objects' },
            { key: 'last', content: 'Last backup' },
            { key: 'count', content: 'Backups' },
            { key: 'actions', content: '' },
          ],
        }}
        rows={rows}
        isLoading={schemas.loading}
        emptyView={<Text>No schema is backed up yet: choose schemas under Backup configuration.</Text>}
      />
    </Stack>
  );
}
