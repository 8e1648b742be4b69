import React, { useEffect } from 'react';
import { Inline, Link, Lozenge, ProgressBar, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import { useResolver } from '../api';
import { isFinished, progressText } from './progress';
import { VaultError } from './VaultError';

/** How often a running restore is asked for its progress. */
export const STATUS_POLL_MS = 3_000;

/**
 * A started restore in the Destination pane: pending, in progress with its progress, then "Operation success" or
 * the error's cause. Asks the vault every few seconds until the restore has finished; a vault that stops
 * answering is said so, with "Try again", instead of a spinner that never ends.
 */
export function RestoreStatus({ restoreId, onFinished }: { restoreId: string; onFinished: () => void }) {
  const restore = useResolver('getRestore', { restoreId });
  const status = restore.data?.status;
  useEffect(() => {
    if (!status || restore.error) return undefined;
    if (isFinished(status)) {
      onFinished();
      return undefined;
    }
    const timer = setTimeout(() => {
      void restore.reload();
    }, STATUS_POLL_MS);
    return () => clearTimeout(timer);
  }, [restore.data, restore.error]);

  if (restore.error) return <VaultError what="The restore's status" message={restore.error} onRetry={restore.reload} />;
  const data = restore.data;
  if (!data) return <Spinner label="Asking the vault for the restore" />;
  const to = data.destination;
  const target = `${to.schemaName} (${to.schemaKey})${to.targetName ? ` on ${to.targetName}` : ''}`;
  return (
    <Stack space="space.100">
      {data.status === 'pending' && (
        <Inline space="space.100">
          <Lozenge appearance="new">Pending</Lozenge>
          <Text>The vault starts the restore into {target} shortly.</Text>
        </Inline>
      )}
      {data.status === 'in_progress' && (
        <>
          <Inline space="space.100">
            <Lozenge appearance="inprogress">In progress</Lozenge>
            <Text>Restoring into {target}</Text>
          </Inline>
          <ProgressBar
            ariaLabel="Restore progress"
            value={data.progress.total > 0 ? Math.min(1, data.progress.done / data.progress.total) : 0}
            isIndeterminate={data.progress.total === 0}
          />
          <Text>{progressText(data.progress)}</Text>
        </>
      )}
      {data.status === 'completed' && (
        <SectionMessage appearance="success" title={data.resultMessage ?? 'Operation success'}>
          <Text>
            {data.counts.created} objects created, {data.counts.skipped} skipped, {data.counts.failed} failed,{' '}
            {data.counts.warnings} warnings.
          </Text>
          {to.schemaUrl && <Link href={to.schemaUrl}>Open {to.schemaName} in Assets</Link>}
        </SectionMessage>
      )}
      {data.status === 'error' && (
        <SectionMessage appearance="error" title="The restore failed">
          <Text>{data.resultMessage ?? 'The vault gave no cause.'}</Text>
        </SectionMessage>
      )}
    </Stack>
  );
}
