import React, { useState } from 'react';
import {
  Box,
  Button,
  Heading,
  Inline,
  Lozenge,
  ModalTransition,
  SectionMessage,
  Spinner,
  Stack,
  Text,
  xcss,
} from '@forge/react';
import type { BackupRow } from '../../contract';
import { restoreRequestProblems, type RestoreProblems } from '../../validation';
import { formatDateTime, useResolver } from '../api';
import { ConfirmRestore } from './ConfirmRestore';
import { CredentialsForm } from './CredentialsForm';
import { DestinationForm } from './DestinationForm';
import { EMPTY_DRAFT, requestFromDraft, usesSiteCredentials, type RestoreDraft } from './restore-draft';
import { RestoreStatus } from './RestoreStatus';
import { VaultError } from './VaultError';

const pane = xcss({ width: '50%' });

/**
 * A selected backup: its facts on the left, the restore on the right (destination and options, Restore →
 * confirmation → status). Asks for the site's credentials first when the destination is this site and the vault
 * has none.
 */
export function RestorePanel({
  backup,
  onRestoresChanged,
}: {
  backup: BackupRow;
  /** a restore started here was accepted, or has finished: the restores grid reloads */
  onRestoresChanged: () => void;
}) {
  const [draft, setDraft] = useState<RestoreDraft>(EMPTY_DRAFT);
  const [submitted, setSubmitted] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [restoreId, setRestoreId] = useState<string | null>(null);
  // bumped when the credentials were saved, so the lists that needed them load again
  const [credentialsVersion, setCredentialsVersion] = useState(0);
  const needsSite = usesSiteCredentials(draft);
  const credentials = useResolver('getSiteCredentials', needsSite ? {} : null);
  const targets = useResolver('listTargetInstances', draft.kind === 'current-instance' ? null : {});

  const request = requestFromDraft(backup.id, draft);
  const problems: RestoreProblems = submitted ? restoreRequestProblems(request) : {};
  const missingCredentials = needsSite && credentials.data?.stored === false;
  const targetId = request.destination.kind === 'current-instance' ? undefined : request.destination.targetInstanceId;

  const restore = () => {
    setSubmitted(true);
    if (Object.keys(restoreRequestProblems(request)).length === 0) setConfirming(true);
  };

  return (
    <Inline space="space.400" alignBlock="start">
      <Box xcss={pane}>
        <Stack space="space.100">
          <Heading as="h3">Selected backup</Heading>
          <Text>Backup {backup.n}</Text>
          <Text>Date: {formatDateTime(backup.backupDate)}</Text>
          <Text>Objects: {backup.objects}</Text>
          <Text>Type: {backup.type === 'manual' ? 'Manual' : 'Scheduled'}</Text>
          <Inline space="space.100">
            <Text>History:</Text>
            <Lozenge>{backup.historyStatus}</Lozenge>
          </Inline>
          <Inline space="space.100">
            <Text>Objects in issues:</Text>
            <Lozenge>{backup.objectsInIssuesStatus}</Lozenge>
          </Inline>
          {backup.warnings.map((warning) => (
            <SectionMessage key={warning} appearance="warning">
              <Text>{warning}</Text>
            </SectionMessage>
          ))}
        </Stack>
      </Box>
      <Box xcss={pane}>
        {restoreId ? (
          <Stack space="space.200">
            <Heading as="h3">Restore</Heading>
            <RestoreStatus restoreId={restoreId} onFinished={onRestoresChanged} />
            <Button
              onClick={() => {
                setRestoreId(null);
                setSubmitted(false);
              }}
            >
              Start another restore
            </Button>
          </Stack>
        ) : (
          <Stack space="space.200">
            <DestinationForm
              key={credentialsVersion}
              backupId={backup.id}
              draft={draft}
              onChange={setDraft}
              problems={problems}
              targets={targets}
            />
            {needsSite && credentials.error && (
              <VaultError
                what="The vault's credentials of this site"
                message={credentials.error}
                onRetry={credentials.reload}
              />
            )}
            {needsSite && credentials.loading && !credentials.data && (
              <Spinner label="Asking the vault for this site's credentials" />
            )}
            {missingCredentials ? (
              <CredentialsForm
                onSaved={() => {
                  setCredentialsVersion((v) => v + 1);
                  void credentials.reload();
                }}
              />
            ) : (
              <Inline>
                <Button
                  appearance="primary"
                  isDisabled={needsSite && credentials.data?.stored !== true}
                  onClick={restore}
                >
                  Restore
                </Button>
              </Inline>
            )}
          </Stack>
        )}
      </Box>
      <ModalTransition>
        {confirming && (
          <ConfirmRestore
            backup={backup}
            request={request}
            targetName={targets.data?.find((t) => t.id === targetId)?.name}
            onCancel={() => setConfirming(false)}
            onStarted={(id) => {
              setConfirming(false);
              setRestoreId(id);
              onRestoresChanged();
            }}
            onNoCredentials={() => {
              setConfirming(false);
              void credentials.reload();
            }}
          />
        )}
      </ModalTransition>
    </Inline>
  );
}
