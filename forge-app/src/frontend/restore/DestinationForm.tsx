import React from 'react';
import {
  Checkbox,
  ErrorMessage,
  Heading,
  HelperMessage,
  Label,
  RadioGroup,
  RequiredAsterisk,
  Select,
  Spinner,
  Stack,
  Text,
  Textfield,
} from '@forge/react';
import type { RestoreField, RestoreProblems } from '../../validation';
import type { TargetInstanceView } from '../../contract';
import { eventValue, useResolver, type Loaded } from '../api';
import { NEW_TARGET, type DestinationKind, type RestoreDraft } from './restore-draft';
import { flattenTypes, toggleType } from './type-tree';
import { VaultError } from './VaultError';

type Option = { label: string; value: string };
const KIND_OPTIONS: Array<{ label: string; value: DestinationKind }> = [
  { label: 'Current instance (a new schema)', value: 'current-instance' },
  { label: 'Existing schema', value: 'existing-schema' },
  { label: 'Another instance (a new schema)', value: 'another-instance' },
];

function Problem({ problems, field }: { problems: RestoreProblems; field: RestoreField }) {
  const message = problems[field];
  return message ? <ErrorMessage>{message}</ErrorMessage> : null;
}

/** Destination and options of a restore. `problems` are shown once the admin tried to restore. */
export function DestinationForm({
  backupId,
  draft,
  onChange,
  problems,
  targets,
}: {
  backupId: string;
  draft: RestoreDraft;
  onChange: (draft: RestoreDraft) => void;
  problems: RestoreProblems;
  /** the site's target instances (loaded by the panel, which names the chosen one in the confirmation) */
  targets: Loaded<TargetInstanceView[]>;
}) {
  const set = (patch: Partial<RestoreDraft>) => onChange({ ...draft, ...patch });
  const targetOptions: Option[] = (targets.data ?? []).map((t) => ({ label: `${t.name} — ${t.url}`, value: t.id }));

  const newSchemaFields = (
    <>
      <Label labelFor="restore-schema-name">
        New schema name
        <RequiredAsterisk />
      </Label>
      <Textfield
        id="restore-schema-name"
        value={draft.schemaName}
        isInvalid={problems.schemaName !== undefined}
        onChange={(event) => set({ schemaName: eventValue(event) })}
      />
      <Problem problems={problems} field="schemaName" />
      <Label labelFor="restore-schema-key">
        New schema key
        <RequiredAsterisk />
      </Label>
      <Textfield
        id="restore-schema-key"
        value={draft.schemaKey}
        isInvalid={problems.schemaKey !== undefined}
        onChange={(event) => set({ schemaKey: eventValue(event).toUpperCase() })}
      />
      {problems.schemaKey ? (
        <Problem problems={problems} field="schemaKey" />
      ) : (
        <HelperMessage>
          2 to 10 upper-case letters and digits, starting with a letter; not used on the site yet.
        </HelperMessage>
      )}
    </>
  );

  return (
    <Stack space="space.100">
      <Heading as="h4">Destination</Heading>
      <RadioGroup
        name="restore-destination"
        options={KIND_OPTIONS}
        value={draft.kind}
        onChange={(event) => {
          const kind = KIND_OPTIONS.find((option) => option.value === eventValue(event))?.value;
          if (kind) set({ kind });
        }}
      />
      {draft.kind === 'current-instance' && newSchemaFields}
      {draft.kind === 'existing-schema' && (
        <ExistingSchema draft={draft} set={set} problems={problems} targetOptions={targetOptions} />
      )}
      {draft.kind === 'another-instance' && (
        <>
          <Label labelFor="restore-target">
            Target instance
            <RequiredAsterisk />
          </Label>
          {targets.error && <VaultError what="The target instances" message={targets.error} onRetry={targets.reload} />}
          <Select
            id="restore-target"
            isLoading={targets.loading}
            options={[...targetOptions, { label: 'New target instance…', value: NEW_TARGET }]}
            value={[...targetOptions, { label: 'New target instance…', value: NEW_TARGET }].find(
              (o) => o.value === draft.target,
            )}
            onChange={(option: Option) => set({ target: option.value })}
          />
          <Problem problems={problems} field="target" />
          {draft.target === NEW_TARGET && <NewTarget draft={draft} set={set} problems={problems} />}
          {newSchemaFields}
        </>
      )}
      <Heading as="h4">Options</Heading>
      <Checkbox
        label="Restore with object icons"
        isChecked={draft.objectIcons}
        onChange={() => set({ objectIcons: !draft.objectIcons })}
      />
      <Checkbox
        label="Restore object history (into an OBJECT_HISTORY attribute)"
        isChecked={draft.history}
        onChange={() => set({ history: !draft.history })}
      />
      <Checkbox
        label="Restore specific object types"
        isChecked={draft.specificTypes}
        onChange={() => set({ specificTypes: !draft.specificTypes })}
      />
      {draft.specificTypes && <TypeChoice backupId={backupId} draft={draft} set={set} problems={problems} />}
    </Stack>
  );
}

function ExistingSchema({
  draft,
  set,
  problems,
  targetOptions,
}: {
  draft: RestoreDraft;
  set: (patch: Partial<RestoreDraft>) => void;
  problems: RestoreProblems;
  targetOptions: Option[];
}) {
  const instances: Option[] = [{ label: 'This site', value: '' }, ...targetOptions];
  const schemas = useResolver('listAssetsSchemas', draft.existingOn ? { targetInstanceId: draft.existingOn } : {});
  const schemaOptions: Option[] = (schemas.data ?? []).map((s) => ({
    label: `${s.name} (${s.objectSchemaKey}) · ${s.objectCount} objects`,
    value: s.id,
  }));
  return (
    <>
      <Label labelFor="restore-existing-on">Instance</Label>
      <Select
        id="restore-existing-on"
        options={instances}
        value={instances.find((o) => o.value === draft.existingOn)}
        onChange={(option: Option) => set({ existingOn: option.value, schemaId: '' })}
      />
      <Label labelFor="restore-existing-schema">
        Schema
        <RequiredAsterisk />
      </Label>
      {schemas.error && schemas.errorCode !== 'no_credentials' && (
        <VaultError what="The schemas of that instance" message={schemas.error} onRetry={schemas.reload} />
      )}
      <Select
        id="restore-existing-schema"
        isLoading={schemas.loading}
        isInvalid={problems.schemaId !== undefined}
        options={schemaOptions}
        value={schemaOptions.find((o) => o.value === draft.schemaId) ?? null}
        onChange={(option: Option) => set({ schemaId: option.value })}
      />
      <Problem problems={problems} field="schemaId" />
      <Checkbox
        label="Duplicate objects"
        isChecked={draft.createDuplicates}
        onChange={() => set({ createDuplicates: !draft.createDuplicates })}
      />
      <HelperMessage>
        Checked: every object of the backup is created, also those whose ID already exists in the schema. Unchecked:
        objects that exist are left as they are and counted as skipped.
      </HelperMessage>
    </>
  );
}

function NewTarget({
  draft,
  set,
  problems,
}: {
  draft: RestoreDraft;
  set: (patch: Partial<RestoreDraft>) => void;
  problems: RestoreProblems;
}) {
  const target = draft.newTarget;
  const setTarget = (patch: Partial<RestoreDraft['newTarget']>) => set({ newTarget: { ...target, ...patch } });
  const field = (id: string, label: string, key: 'name' | 'url' | 'email' | 'apiToken', type?: 'password') => (
    <>
      <Label labelFor={id}>
        {label}
        <RequiredAsterisk />
      </Label>
      <Textfield
        id={id}
        {...(type ? { type } : {})}
        value={target[key]}
        isInvalid={problems[`newTarget.${key}`] !== undefined}
        onChange={(event) => setTarget({ [key]: eventValue(event) })}
      />
      <Problem problems={problems} field={`newTarget.${key}`} />
    </>
  );
  return (
    <>
      {field('restore-target-name', 'Name', 'name')}
      {field('restore-target-url', 'Site URL (https://…atlassian.net)', 'url')}
      {field('restore-target-email', 'Email of the account', 'email')}
      {field('restore-target-token', 'API token', 'apiToken', 'password')}
      <Checkbox
        label="Save this target instance in the vault (its token encrypted)"
        isChecked={target.save}
        onChange={() => setTarget({ save: !target.save })}
      />
    </>
  );
}

function TypeChoice({
  backupId,
  draft,
  set,
  problems,
}: {
  backupId: string;
  draft: RestoreDraft;
  set: (patch: Partial<RestoreDraft>) => void;
  problems: RestoreProblems;
}) {
  const tree = useResolver('backupObjectTypes', { backupId });
  if (tree.error)
    return <VaultError what="The object types of the backup" message={tree.error} onRetry={tree.reload} />;
  if (!tree.data) return <Spinner label="Loading the object types of the backup" />;
  const rows = flattenTypes(tree.data);
  return (
    <Stack space="space.050">
      <Text>Choosing a type also chooses its parents; the types its objects reference come along too.</Text>
      {rows.map((row) => (
        <Checkbox
          key={row.id}
          value={row.id}
          label={`${'— '.repeat(row.depth)}${row.name} (${row.objectCount})`}
          isChecked={draft.objectTypeIds.includes(row.id)}
          onChange={() => set({ objectTypeIds: toggleType(rows, draft.objectTypeIds, row.id) })}
        />
      ))}
      <Problem problems={problems} field="objectTypeIds" />
    </Stack>
  );
}
