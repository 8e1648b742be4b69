import React, { useState } from 'react';
import { Button, Heading, Inline, Stack, Text } from '@forge/react';
import type { BackupRow, SchemaSummary } from '../../contract';
import { AvailableBackups } from './AvailableBackups';
import { RestorePanel } from './RestorePanel';
import { RestoresGrid } from './RestoresGrid';
import { VaultSchemas } from './VaultSchemas';

/** The Restore tab: the synced schemas grid, then one schema's backups, restore and restores. */
export function RestoreTab({ onSchedule }: { onSchedule: () => void }) {
  const [schema, setSchema] = useState<SchemaSummary | null>(null);
  if (!schema) return <VaultSchemas onRestore={setSchema} />;
  return <SchemaRestore schema={schema} onBack={() => setSchema(null)} onSchedule={onSchedule} />;
}

function SchemaRestore({
  schema,
  onBack,
  onSchedule,
}: {
  schema: SchemaSummary;
  onBack: () => void;
  onSchedule: () => void;
}) {
  const [selected, setSelected] = useState<BackupRow | undefined>(undefined);
  // remounts the restores grid when a restore started here was accepted or has finished
  const [restoresVersion, setRestoresVersion] = useState(0);
  return (
    <Stack space="space.300">
      <Inline space="space.200" alignBlock="center">
        <Button appearance="subtle" onClick={onBack}>
          ← All schemas
        </Button>
        <Heading as="h2">
          Restore {schema.name} ({schema.key})
        </Heading>
      </Inline>
      {selected ? (
        <RestorePanel key={selected.id} backup={selected} onRestoresChanged={() => setRestoresVersion((v) => v + 1)} />
      ) : (
        <Text>Select a backup to restore it.</Text>
      )}
      <AvailableBackups schema={schema} selectedId={selected?.id} onSelect={setSelected} onSchedule={onSchedule} />
      <RestoresGrid key={restoresVersion} schemaId={schema.schemaId} />
    </Stack>
  );
}
