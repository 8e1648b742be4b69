import React, { useState } from 'react';
import {
  Button,
  ErrorMessage,
  HelperMessage,
  Label,
  RequiredAsterisk,
  SectionMessage,
  Stack,
  Text,
  Textfield,
} from '@forge/react';
import { normaliseEmail } from '../../validation';
import { callResolver, errorMessage, eventValue } from '../api';

/**
 * Asked once, when the vault has no API token of this site: the vault restores into the site with it. It is sent
 * signed to the vault and stored there encrypted; the app keeps nothing of it.
 */
export function CredentialsForm({ onSaved }: { onSaved: () => void }) {
  const [email, setEmail] = useState('');
  const [apiToken, setApiToken] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const emailProblem = normaliseEmail(email) ? undefined : 'Enter a valid email address';
  const tokenProblem = apiToken.trim() ? undefined : 'Enter the API token of that account';

  const save = async () => {
    setSubmitted(true);
    if (emailProblem || tokenProblem) return;
    setSaving(true);
    try {
      await callResolver('saveSiteCredentials', { email, apiToken });
      setApiToken('');
      onSaved();
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <SectionMessage appearance="warning" title="The vault needs an API token of this site">
      <Stack space="space.100">
        <Text>
          The vault restores into this site with the Assets API, as the account you enter here. The token is sent to the
          vault and stored there encrypted; it is not kept in Jira. You are asked for it once.
        </Text>
        <Label labelFor="site-credentials-email">
          Email of the account
          <RequiredAsterisk />
        </Label>
        <Textfield
          id="site-credentials-email"
          value={email}
          isInvalid={submitted && emailProblem !== undefined}
          onChange={(event) => setEmail(eventValue(event))}
        />
        {submitted && emailProblem && <ErrorMessage>{emailProblem}</ErrorMessage>}
        <Label labelFor="site-credentials-token">
          API token
          <RequiredAsterisk />
        </Label>
        <Textfield
          id="site-credentials-token"
          type="password"
          value={apiToken}
          isInvalid={submitted && tokenProblem !== undefined}
          onChange={(event) => setApiToken(eventValue(event))}
        />
        {submitted && tokenProblem ? (
          <ErrorMessage>{tokenProblem}</ErrorMessage>
        ) : (
          <HelperMessage>Create one under your Atlassian account: Security → API tokens.</HelperMessage>
        )}
        {failure && <ErrorMessage>{failure}</ErrorMessage>}
        <Button appearance="primary" isDisabled={saving} onClick={save}>
          Save in the vault
        </Button>
      </Stack>
    </SectionMessage>
  );
}
