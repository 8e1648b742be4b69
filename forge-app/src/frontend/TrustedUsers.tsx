import React, { useEffect, useState } from 'react';
import {
  Button,
  DynamicTable,
  ErrorMessage,
  Form,
  Heading,
  HelperMessage,
  Inline,
  Label,
  Lozenge,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  ModalTitle,
  ModalTransition,
  RequiredAsterisk,
  SectionMessage,
  Spinner,
  Stack,
  Text,
  Textfield,
  useForm,
} from '@forge/react';
// Relative imports in the UI bundle carry no extension: Forge's UI Kit webpack config has no
// `.js` → `.ts` alias (checked in @forge/bundler 7.3.0).
import type { TrustedUserStatus, TrustedUserView } from '../contract';
import { EMAIL_PATTERN, MAX_EMAIL_LENGTH } from '../validation';
import { callResolver, errorMessage, formatDateTime } from './api';
import { ConfirmDanger, NoticeMessage, type Notice } from './ui';

export const GOOGLE_MICROSOFT_NOTE =
  'Only emails with Google or Microsoft authentication can access Assets backup vault';

const STATUS_LABEL: Record<
  TrustedUserStatus,
  { text: string; appearance: 'success' | 'inprogress' | 'moved' | 'removed' }
> = {
  invited: { text: 'Invited', appearance: 'success' },
  pending: { text: 'Waiting for the vault', appearance: 'inprogress' },
  removing: { text: 'Removal pending', appearance: 'moved' },
  failed: { text: 'Not delivered', appearance: 'removed' },
};

export function TrustedUsers({ onChanged }: { onChanged?: () => void }) {
  const [users, setUsers] = useState<TrustedUserView[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [isAdding, setAdding] = useState(false);
  const [pendingRemoval, setPendingRemoval] = useState<string | null>(null);
  const [isRemoving, setRemoving] = useState(false);

  const load = async () => {
    try {
      setUsers(await callResolver('listTrustedUsers', {}));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const invited = async (user: TrustedUserView) => {
    setAdding(false);
    setNotice(
      user.status === 'invited'
        ? { appearance: 'success', text: `Invitation sent to ${user.email}.` }
        : {
            appearance: 'warning',
            text: `${user.email} was saved, but the vault could not be reached yet. The invitation will be sent automatically.`,
          },
    );
    onChanged?.();
    await load();
  };

  const confirmRemove = async () => {
    if (!pendingRemoval) return;
    setRemoving(true);
    try {
      const result = await callResolver('removeTrustedUser', { email: pendingRemoval });
      setNotice(
        result.status === 'removed'
          ? { appearance: 'success', text: `${result.email} can no longer access Assets backup vault.` }
          : {
              appearance: 'warning',
              text: `${result.email} was removed here, but the vault could not be reached yet. The removal will be sent automatically.`,
            },
      );
      onChanged?.();
    } catch (err) {
      setNotice({ appearance: 'error', text: `Could not remove ${pendingRemoval}: ${errorMessage(err)}` });
    } finally {
      setRemoving(false);
      setPendingRemoval(null);
    }
    await load();
  };

  const rows = (users ?? []).map((user) => {
    const status = STATUS_LABEL[user.status];
    return {
      key: user.email,
      cells: [
        { key: 'email', content: user.email },
        { key: 'invitedBy', content: user.invitedBy.displayName },
        { key: 'date', content: formatDateTime(user.invitedAt) },
        { key: 'status', content: <Lozenge appearance={status.appearance}>{status.text}</Lozenge> },
        {
          key: 'actions',
          content: (
            <Button
              appearance="subtle"
              isDisabled={user.status === 'removing'}
              onClick={() => setPendingRemoval(user.email)}
            >
              Remove
            </Button>
          ),
        },
      ],
    };
  });

  return (
    <Stack space="space.200">
      <Inline spread="space-between" alignBlock="center">
        <Heading as="h2">Trusted users</Heading>
        <Button
          appearance="primary"
          onClick={() => {
            setNotice(null);
            setAdding(true);
          }}
        >
          + Add trusted users
        </Button>
      </Inline>
      <Text>
        People listed here can sign in to Assets backup vault to browse and restore backups, even when Atlassian Cloud
        is unavailable.
      </Text>
      <NoticeMessage notice={notice} />
      {loadError && (
        <SectionMessage appearance="error" title="Trusted users could not be loaded">
          <Text>{loadError}</Text>
        </SectionMessage>
      )}
      {!users && !loadError && <Spinner label="Loading trusted users" />}
      {users && (
        <DynamicTable
          caption="Trusted users"
          head={{
            cells: [
              { key: 'email', content: 'Email' },
              { key: 'invitedBy', content: 'Invited by' },
              { key: 'date', content: 'Date' },
              { key: 'status', content: 'Status' },
              { key: 'actions', content: '' },
            ],
          }}
          rows={rows}
          emptyView={<Text>No trusted users yet. Add the people who must reach your backups during an outage.</Text>}
        />
      )}
      <ModalTransition>
        {isAdding && <AddTrustedUserModal onClose={() => setAdding(false)} onInvited={invited} />}
      </ModalTransition>
      <ConfirmDanger
        title={pendingRemoval === null ? undefined : `Remove ${pendingRemoval}?`}
        confirmLabel="Remove"
        isBusy={isRemoving}
        onConfirm={confirmRemove}
        onCancel={() => setPendingRemoval(null)}
      >
        {pendingRemoval} will lose access to Assets backup vault and be signed out.
      </ConfirmDanger>
    </Stack>
  );
}

function AddTrustedUserModal({
  onClose,
  onInvited,
}: {
  onClose: () => void;
  onInvited: (user: TrustedUserView) => Promise<void>;
}) {
  const { handleSubmit, register, getFieldId, formState } = useForm<{ email: string }>();
  const [error, setError] = useState<string | null>(null);
  const [isSubmitting, setSubmitting] = useState(false);

  const submit = async ({ email }: { email: string }) => {
    setSubmitting(true);
    setError(null);
    try {
      const user = await callResolver('addTrustedUser', { email: email.trim() });
      await onInvited(user);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Modal onClose={onClose}>
      <Form onSubmit={handleSubmit(submit)}>
        <ModalHeader>
          <ModalTitle>Add trusted users</ModalTitle>
        </ModalHeader>
        <ModalBody>
          <Stack space="space.100">
            <Label labelFor={getFieldId('email')}>
              Email
              <RequiredAsterisk />
            </Label>
            {/* No type="email": useForm only unwraps text-like inputs (forge.md §4.4); the pattern validates. */}
            <Textfield
              placeholder="name@company.com"
              {...register('email', {
                required: true,
                maxLength: MAX_EMAIL_LENGTH,
                validate: (value: string) => EMAIL_PATTERN.test(value.trim()),
              })}
            />
            {formState.errors.email && <ErrorMessage>Enter a valid email address</ErrorMessage>}
            <HelperMessage>{GOOGLE_MICROSOFT_NOTE}</HelperMessage>
            {error && (
              <SectionMessage appearance="error">
                <Text>{error}</Text>
              </SectionMessage>
            )}
          </Stack>
        </ModalBody>
        <ModalFooter>
          <Button appearance="subtle" onClick={onClose}>
            Cancel
          </Button>
          <Button appearance="primary" type="submit" isDisabled={isSubmitting}>
            Invite
          </Button>
        </ModalFooter>
      </Form>
    </Modal>
  );
}
