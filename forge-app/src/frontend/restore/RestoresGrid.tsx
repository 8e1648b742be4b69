import React, { useState } from 'react';
import { router } from '@forge/bridge';
import { Box, Button, DynamicTable, Heading, Inline, Link, Lozenge, Spinner, Stack, Text, xcss } from '@forge/react';
import type { RestoreSummary } from '../../contract';
import { callResolver, errorMessage, formatDateTime, useResolver } from '../api';
import { NoticeMessage, type Notice } from '../ui';
import { VaultError } from './VaultError';

const STATUS: Record<
  RestoreSummary['status'],
  { label: string; appearance: 'new' | 'inprogress' | 'success' | 'removed' }
> = {
  pending: { label: 'Pending', appearance: 'new' },
  in_progress: { label: 'In progress', appearance: 'inprogress' },
  completed: { label: 'Completed', appearance: 'success' },
  error: { label: 'Error', appearance: 'removed' },
};
const FIELD_STATUS: Record<RestoreSummary['issueFields']['status'], string> = {
  not_started: 'Not started',
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  error: 'Error',
};
const details = xcss({
  padding: 'space.200',
  borderColor: 'color.border',
  borderWidth: 'border.width',
  borderStyle: 'solid',
});

/** A schema in the Assets UI of a site (the vault links the restored schema the same way). */
export function assetsSchemaUrl(siteUrl: string, schemaId: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/jira/servicedesk/assets/object-schema/${schemaId}`;
}

const yesNo = (value: boolean) => (value ? 'YES' : 'NO');

function restoredTo(r: RestoreSummary): string {
  const where =
    r.destination.targetName ?? (r.destination.kind === 'another-instance' ? r.destination.siteUrl : 'this site');
  return `${r.destination.schemaName} (${r.destination.schemaKey}) · ${where}`;
}

/**
 * The restores of a schema's backups, newest first, each expandable to its details: from / to with links into
 * Assets, the options, the result, the full .xlsx log through the vault, and "Restore objects in issues".
 */
export function RestoresGrid({ schemaId }: { schemaId: string }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useResolver('listRestores', { schemaId, ...(cursor ? { cursor } : {}) });
  const [expanded, setExpanded] = useState<string[]>([]);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [earlier, setEarlier] = useState<RestoreSummary[]>([]);
  // the previous page stays in `page.data` while the next one loads: keep each restore once
  const items = [...new Map([...earlier, ...(page.data?.items ?? [])].map((r) => [r.id, r])).values()];

  const toggle = (id: string) =>
    setExpanded((current) => (current.includes(id) ? current.filter((x) => x !== id) : [...current, id]));

  const downloadLog = async (restore: RestoreSummary) => {
    try {
      const link = await callResolver('restoreLogLink', { restoreId: restore.id });
      await router.open(link.url);
    } catch (err) {
      setNotice({ appearance: 'error', text: `The log could not be opened: ${errorMessage(err)}` });
    }
  };

  const restoreIssueFields = async (restore: RestoreSummary) => {
    try {
      await callResolver('restoreIssueFields', { restoreId: restore.id });
      setNotice({ appearance: 'success', text: 'The vault is pointing the issue fields at the restored objects.' });
    } catch (err) {
      setNotice({ appearance: 'error', text: `Restore objects in issues did not start: ${errorMessage(err)}` });
    }
    setEarlier([]);
    setCursor(undefined);
    await page.reload();
  };

  const rows = items.map((r) => ({
    key: r.id,
    cells: [
      { key: 'started', content: formatDateTime(r.startedAt ?? r.createdAt) },
      { key: 'backup', content: formatDateTime(r.backupCreatedAt) },
      { key: 'to', content: restoredTo(r) },
      { key: 'status', content: <Lozenge appearance={STATUS[r.status].appearance}>{STATUS[r.status].label}</Lozenge> },
      { key: 'result', content: r.resultMessage ?? '—' },
      { key: 'ended', content: formatDateTime(r.endedAt ?? undefined) },
      {
        key: 'actions',
        content: (
          <Button appearance="subtle" onClick={() => toggle(r.id)}>
            {expanded.includes(r.id) ? 'Hide details' : 'Details'}
          </Button>
        ),
      },
    ],
  }));

  return (
    <Stack space="space.200">
      <Heading as="h3">Restores</Heading>
      <NoticeMessage notice={notice} />
      {page.error && <VaultError what="The restores" message={page.error} onRetry={page.reload} />}
      {!page.data && !page.error && <Spinner label="Loading the restores" />}
      {page.data && (
        <DynamicTable
          caption="Restores of this schema's backups"
          head={{
            cells: [
              { key: 'started', content: 'Started' },
              { key: 'backup', content: 'Backup of' },
              { key: 'to', content: 'Restored to' },
              { key: 'status', content: 'Status' },
              { key: 'result', content: 'Result' },
              { key: 'ended', content: 'Ended' },
              { key: 'actions', content: '' },
            ],
          }}
          rows={rows}
          isLoading={page.loading}
          emptyView={<Text>No backup of this schema was restored yet.</Text>}
        />
      )}
      {page.data?.nextCursor && (
        <Inline>
          <Button
            onClick={() => {
              setEarlier(items);
              setCursor(page.data?.nextCursor);
            }}
          >
            Show older restores
          </Button>
        </Inline>
      )}
      {items
        .filter((r) => expanded.includes(r.id))
        .map((r) => (
          <Box key={r.id} xcss={details}>
            <Stack space="space.100">
              <Heading as="h4">Restore of {formatDateTime(r.startedAt ?? r.createdAt)}</Heading>
              <Inline space="space.100">
                <Text>Restored from:</Text>
                <Link href={assetsSchemaUrl(r.source.siteUrl, r.source.schemaId)}>
                  {r.source.schemaName} ({r.source.schemaKey})
                </Link>
                <Text>backup of {formatDateTime(r.backupCreatedAt)}</Text>
              </Inline>
              <Inline space="space.100">
                <Text>Restored to:</Text>
                {r.destination.schemaUrl ? (
                  <Link href={r.destination.schemaUrl}>{restoredTo(r)}</Link>
                ) : (
                  <Text>{restoredTo(r)}</Text>
                )}
              </Inline>
              <Text>
                History: {yesNo(r.options.history)} · Icons: {yesNo(r.options.objectIcons)} · Specific types:{' '}
                {yesNo(r.options.objectTypeIds !== null)}
                {r.destination.createDuplicates === undefined
                  ? ''
                  : ` · Duplicates: ${yesNo(r.destination.createDuplicates)}`}
              </Text>
              <Text>Result: {r.resultMessage ?? STATUS[r.status].label}</Text>
              <Text>
                Objects: {r.counts.created} created, {r.counts.skipped} skipped, {r.counts.failed} failed,{' '}
                {r.counts.warnings} warnings
              </Text>
              <Text>Started by {r.createdBy}</Text>
              <Text>
                Updated fields: {r.issueFields.updatedFields} ({r.issueFields.failedFields} failed) · Field update
                status: {FIELD_STATUS[r.issueFields.status]} · Date:{' '}
                {formatDateTime(r.issueFields.updatedAt ?? undefined)}
              </Text>
              {r.issueFields.message && <Text>{r.issueFields.message}</Text>}
              <Inline space="space.100">
                <Button onClick={() => downloadLog(r)}>Download full log (.xlsx)</Button>
                <Button
                  isDisabled={
                    r.status !== 'completed' ||
                    r.issueFields.status === 'pending' ||
                    r.issueFields.status === 'in_progress'
                  }
                  onClick={() => restoreIssueFields(r)}
                >
                  Restore objects in issues
                </Button>
              </Inline>
            </Stack>
          </Box>
        ))}
    </Stack>
  );
}
