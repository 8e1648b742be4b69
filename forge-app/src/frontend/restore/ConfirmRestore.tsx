import React, { useEffect, useState } from 'react';
import {
  Button,
  List,
  ListItem,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalTitle,
  SectionMessage,
  Spinner,
  Stack,
  Text,
} from '@forge/react';
import type { BackupRow, RestoreRequest } from '../../contract';
import { callResolver, errorMessage, formatDateTime, useResolver } from '../api';

const ROLE: Record<'selected' | 'parent' | 'referenced', string> = {
  selected: 'chosen',
  parent: 'parent of a chosen type',
  referenced: 'referenced by a chosen type',
};

function describeDestination(request: RestoreRequest, targetName: string | undefined): string {
  const d = request.destination;
  if (d.kind === 'current-instance') return `a new schema "${d.schemaName}" (${d.schemaKey}) on this site`;
  if (d.kind === 'existing-schema')
    return `the existing schema ${d.schemaId}${d.targetInstanceId ? ` of ${targetName ?? 'the target instance'}` : ' of this site'}, ${d.createDuplicates ? 'creating duplicates' : 'skipping objects that exist'}`;
  return `a new schema "${d.schemaName}" (${d.schemaKey}) on ${d.newTarget ? d.newTarget.url : (targetName ?? 'the target instance')}`;
}

/**
 * The confirmation before a restore starts: the vault checks the request as it would a start (name and key free,
 * target reachable, types known) and says what it brings in; "Restore" then starts it.
 */
export function ConfirmRestore({
  backup,
  request,
  targetName,
  onCancel,
  onStarted,
  onNoCredentials,
}: {
  backup: BackupRow;
  request: RestoreRequest;
  targetName: string | undefined;
  onCancel: () => void;
  onStarted: (restoreId: string) => void;
  /** the vault has no credentials of the site (they were removed meanwhile): the page asks for them */
  onNoCredentials: () => void;
}) {
  const preview = useResolver('previewRestore', request);
  useEffect(() => {
    if (preview.errorCode === 'no_credentials') onNoCredentials();
  }, [preview.errorCode]);
  const [starting, setStarting] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  const start = async () => {
    setStarting(true);
    setFailure(null);
    try {
      const accepted = await callResolver('startRestore', request);
      onStarted(accepted.id);
    } catch (err) {
      setFailure(errorMessage(err));
      setStarting(false);
    }
  };

  return (
    <Modal onClose={onCancel}>
      <ModalHeader>
        <ModalTitle appearance="warning">Restore backup {backup.n}?</ModalTitle>
      </ModalHeader>
      <ModalBody>
        <Stack space="space.100">
          <Text>
            The backup of {formatDateTime(backup.backupDate)} ({backup.objects} objects) is restored into{' '}
            {describeDestination(request, targetName)}.
          </Text>
          {preview.loading && <Spinner label="The vault is checking the restore" />}
          {preview.error && (
            <SectionMessage appearance="error" title="The restore cannot start">
              <Text>{preview.error}</Text>
            </SectionMessage>
          )}
          {preview.data && !preview.loading && (
            <>
              <Text>
                It creates up to {preview.data.objectCount} objects
                {request.options.objectTypeIds ? ' of these object types:' : '.'}
              </Text>
              {request.options.objectTypeIds && (
                <List type="unordered">
                  {preview.data.objectTypes.map((type) => (
                    <ListItem key={type.id}>
                      {type.name} ({ROLE[type.role]})
                    </ListItem>
                  ))}
                </List>
              )}
              {preview.data.warnings.map((warning) => (
                <SectionMessage key={warning} appearance="warning">
                  <Text>{warning}</Text>
                </SectionMessage>
              ))}
            </>
          )}
          {failure && (
            <SectionMessage appearance="error" title="The restore did not start">
              <Text>{failure}</Text>
            </SectionMessage>
          )}
        </Stack>
      </ModalBody>
      <ModalFooter>
        <Button appearance="subtle" onClick={onCancel}>
          Cancel
        </Button>
        <Button appearance="warning" isDisabled={!preview.data || preview.loading || starting} onClick={start}>
          Restore
        </Button>
      </ModalFooter>
    </Modal>
  );
}
