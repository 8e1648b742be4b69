import React from 'react';
import { Button, SectionMessage, Text } from '@forge/react';

/** What the page shows when the vault (or the app's backend) did not answer: the message and "Try again". */
export function VaultError({ what, message, onRetry }: { what: string; message: string; onRetry?: () => void }) {
  return (
    <SectionMessage appearance="error" title={`${what} could not be loaded`}>
      <Text>{message}</Text>
      {onRetry && <Button onClick={onRetry}>Try again</Button>}
    </SectionMessage>
  );
}
