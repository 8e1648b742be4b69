import React, { useEffect, useState } from 'react';
import { Button, Heading, Inline, Lozenge, SectionMessage, Spinner, Stack, Text } from '@forge/react';
import type { VaultStatusView } from '../contract';
import { callResolver, errorMessage, formatDateTime } from './api';

/** Where the vault is, when it last answered, and which events still wait for it. */
export function VaultStatus({ refreshKey }: { refreshKey: number }) {
  const [status, setStatus] = useState<VaultStatusView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [isRetrying, setRetrying] = useState(false);

  const load = async () => {
    try {
      setStatus(await callResolver('getVaultStatus', {}));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  };
  useEffect(() => {
    void load();
  }, [refreshKey]);

  const retry = async () => {
    setRetrying(true);
    try {
      setStatus(await callResolver('retryDeliveries', {}));
      setLoadError(null);
    } catch (err) {
      setLoadError(errorMessage(err));
    } finally {
      setRetrying(false);
    }
  };

  if (loadError)
    return (
      <SectionMessage appearance="error" title="Vault status unavailable">
        <Text>{loadError}</Text>
      </SectionMessage>
    );
  if (!status) return <Spinner label="Loading vault status" />;

  const failed = status.deliveries.filter((delivery) => delivery.state === 'failed');
  const pending = status.deliveries.filter((delivery) => delivery.state === 'pending');
  const connected = status.configured && !status.lastError && status.lastSuccessAt !== undefined;

  return (
    <Stack space="space.100">
      <Inline space="space.100" alignBlock="center">
        <Heading as="h3">Vault connection</Heading>
        {!status.configured && <Lozenge appearance="removed">Not configured</Lozenge>}
        {status.configured && status.lastError && <Lozenge appearance="removed">Unreachable</Lozenge>}
        {connected && <Lozenge appearance="success">Connected</Lozenge>}
        {status.configured && !status.lastError && status.lastSuccessAt === undefined && (
          <Lozenge>Not contacted yet</Lozenge>
        )}
      </Inline>
      <Text>Vault URL: {status.vaultUrl ?? 'not set'}</Text>
      <Text>Last successful call: {formatDateTime(status.lastSuccessAt)}</Text>
      {status.configError && (
        <SectionMessage appearance="error" title="Configuration">
          <Text>{status.configError}</Text>
        </SectionMessage>
      )}
      {status.lastError && (
        <SectionMessage appearance="warning" title="The vault could not be reached">
          <Text>
            {formatDateTime(status.lastError.at)}: {status.lastError.message}
          </Text>
        </SectionMessage>
      )}
      {(pending.length > 0 || failed.length > 0) && (
        <SectionMessage appearance={failed.length > 0 ? 'error' : 'information'} title="Changes waiting for the vault">
          <Stack space="space.050">
            {status.deliveries.map((delivery) => (
              <Text key={delivery.id}>
                {delivery.type} · {formatDateTime(delivery.createdAt)} ·{' '}
                {delivery.state === 'failed' ? 'not delivered' : 'retrying'} after {delivery.attempts} attempt(s)
                {delivery.lastError ? ` · ${delivery.lastError}` : ''}
              </Text>
            ))}
            <Inline>
              <Button isDisabled={isRetrying} onClick={retry}>
                Retry now
              </Button>
            </Inline>
          </Stack>
        </SectionMessage>
      )}
    </Stack>
  );
}
