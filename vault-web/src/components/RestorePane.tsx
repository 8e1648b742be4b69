/**
 * The Destination pane of a selected backup: the restore options (where: a new schema on this site, an existing
 * schema here or on a target instance, a new schema on another instance; how: object icons, object history,
 * specific object types), a confirmation, then the restore's live status. Loaded on first use (not in the first
 * load). The choice of restore to follow lives in the URL (`restore=`), so a reload keeps following it.
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { ApiError } from '../api/http.js';
import { vault, type BackupRow, type RestoreDetail, type RestorePreview, type TargetInstance } from '../api/vault.js';
import {
  emptyRestoreForm,
  NEW_TARGET,
  perTargetInput,
  restoreFormProblems,
  restoreRequest,
  suggestSchemaKey,
  type DestinationKind,
  type RestoreFormField,
  type RestoreFormValues,
} from '../lib/restore-form.js';
import { useRestoreStatus } from '../lib/use-restore-status.js';
import { asApiError, useResource } from '../lib/use-resource.js';
import { preloadLoginOptions } from '../pages/SignInPage.js';
import { Link } from '../lib/router.js';
import { backupTitle } from '../lib/schema-context.js';
import { Button } from './Button.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { ErrorState, Loading, SectionMessage } from './Feedback.js';
import { Checkbox, SelectField, TextField } from './Fields.js';
import { RestoreLiveStatus } from './RestoreStatus.js';
import { TargetInputFields } from './TargetInputFields.js';
import { TypeTree } from './TypeTree.js';

const KINDS: { kind: DestinationKind; label: string; hint: string }[] = [
  { kind: 'current-instance', label: 'Current instance', hint: 'A new schema on this site.' },
  { kind: 'existing-schema', label: 'Existing schema', hint: 'Add the objects to a schema that exists.' },
  { kind: 'another-instance', label: 'Another instance', hint: 'A new schema on another Jira site.' },
];

/** The field of each problem, in the order the form shows them (the first one gets the focus). */
const FIELD_IDS: Record<RestoreFormField, string> = {
  targetInstanceId: 'restore-target',
  newTargetName: 'restore-new-target-name',
  newTargetUrl: 'restore-new-target-url',
  newTargetEmail: 'restore-new-target-email',
  newTargetApiToken: 'restore-new-target-token',
  newTargetAssetsApiBaseUrl: 'restore-new-target-base',
  schemaName: 'restore-schema-name',
  schemaKey: 'restore-schema-key',
  existingSchemaId: 'restore-existing-schema',
  objectTypeIds: 'restore-types',
};

export function RestorePane({
  backup,
  schemaName,
  restoreId,
  onStarted,
  onClose,
  onEnded,
}: {
  backup: BackupRow;
  schemaName: string;
  /** the restore being followed (from the URL) */
  restoreId: string | undefined;
  onStarted: (id: string) => void;
  onClose: () => void;
  onEnded: (restore: RestoreDetail) => void;
}) {
  return (
    <section className="card" aria-labelledby="destination-title">
      <h2 id="destination-title">Destination</h2>
      {restoreId ? (
        <FollowRestore restoreId={restoreId} onClose={onClose} onEnded={onEnded} />
      ) : (
        <RestoreForm backup={backup} schemaName={schemaName} onStarted={onStarted} />
      )}
    </section>
  );
}

function FollowRestore({
  restoreId,
  onClose,
  onEnded,
}: {
  restoreId: string;
  onClose: () => void;
  onEnded: (restore: RestoreDetail) => void;
}) {
  const { status, follow } = useRestoreStatus(restoreId, onEnded);
  const [issueFields, setIssueFields] = useState<{ busy: boolean; error?: ApiError }>({ busy: false });
  const startIssueFields = async () => {
    setIssueFields({ busy: true });
    try {
      await vault.startIssueFields(restoreId);
      setIssueFields({ busy: false });
      follow();
    } catch (err) {
      setIssueFields({ busy: false, error: asApiError(err) });
    }
  };
  const running = status.restore?.status === 'pending' || status.restore?.status === 'in_progress';
  return (
    <div aria-live="polite" className="stack">
      <RestoreLiveStatus
        status={status}
        onFollow={follow}
        onIssueFields={() => void startIssueFields()}
        issueFieldsBusy={issueFields.busy}
      />
      {issueFields.error ? (
        <ErrorState error={issueFields.error} what="The objects in issues were not restored" />
      ) : null}
      {running ? null : (
        <div className="button-group">
          <Button onClick={onClose}>New restore</Button>
        </div>
      )}
    </div>
  );
}

function RestoreForm({
  backup,
  schemaName,
  onStarted,
}: {
  backup: BackupRow;
  schemaName: string;
  onStarted: (id: string) => void;
}) {
  const [values, setValues] = useState<RestoreFormValues>(emptyRestoreForm);
  const [keyEdited, setKeyEdited] = useState(false);
  const [submitted, setSubmitted] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | undefined>();
  const options = useResource(() => preloadLoginOptions(), []);
  const targets = useResource((signal) => vault.listTargetInstances({ signal }), []);
  const problems = restoreFormProblems(values, options.data?.allowInsecureSiteUrls ?? false);
  const valid = Object.keys(problems).length === 0;
  const shown = submitted ? problems : {};
  const set = (patch: Partial<RestoreFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const setNewTarget = (patch: Partial<RestoreFormValues['newTarget']>) =>
    setValues((v) => ({ ...v, newTarget: { ...v.newTarget, ...patch } }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setStartError(undefined);
    const first = (Object.keys(FIELD_IDS) as RestoreFormField[]).find((f) => problems[f] !== undefined);
    if (first) {
      document.getElementById(FIELD_IDS[first])?.focus();
      return;
    }
    setConfirming(true);
  };
  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      const { id } = await vault.startRestore(restoreRequest(backup.id, values));
      setConfirming(false);
      onStarted(id);
    } catch (err) {
      setStartError(asApiError(err));
      setConfirming(false);
    } finally {
      setStarting(false);
    }
  };

  const targetList = targets.data?.items ?? [];
  const targetName = (id: string) => targetList.find((t) => t.id === id);
  const where = describeDestination(values, targetName, schemaName);

  return (
    <form className="form form--wide" noValidate onSubmit={submit} aria-label="Restore options">
      <fieldset className="fieldset">
        <legend className="field__label">Restore to</legend>
        <div className="radio-group">
          {KINDS.map((k) => (
            <label key={k.kind} className="radio">
              <input
                type="radio"
                name="restore-kind"
                value={k.kind}
                checked={values.kind === k.kind}
                onChange={() => set({ kind: k.kind })}
              />
              <span>
                {k.label}
                <span className="field__hint"> — {k.hint}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>

      {targets.state === 'error' && values.kind !== 'current-instance' ? (
        <ErrorState error={targets.error} what="The target instances could not be loaded" onRetry={targets.retry} />
      ) : null}

      {values.kind === 'another-instance' ? (
        <>
          <SelectField
            id={FIELD_IDS.targetInstanceId}
            label="Target instance"
            value={values.targetInstanceId}
            error={shown.targetInstanceId}
            onChange={(e) => set({ targetInstanceId: e.target.value })}
            options={[
              { value: '', label: targets.state === 'loading' ? 'Loading target instances…' : 'Choose…' },
              ...targetList.map((t) => ({ value: t.id, label: `${t.name} — ${t.url}` })),
              { value: NEW_TARGET, label: 'New target instance…' },
            ]}
          />
          {values.targetInstanceId === NEW_TARGET ? (
            <NewTargetFields values={values} problems={shown} onChange={setNewTarget} />
          ) : null}
        </>
      ) : null}

      {values.kind === 'existing-schema' ? (
        <ExistingSchemaFields values={values} problems={shown} targets={targetList} onChange={set} />
      ) : (
        <div className="form-row">
          <TextField
            id={FIELD_IDS.schemaName}
            label="New schema name"
            value={values.schemaName}
            error={shown.schemaName}
            autoComplete="off"
            onChange={(e) =>
              set({
                schemaName: e.target.value,
                ...(keyEdited ? {} : { schemaKey: suggestSchemaKey(e.target.value) }),
              })
            }
          />
          <TextField
            id={FIELD_IDS.schemaKey}
            label="New schema key"
            value={values.schemaKey}
            error={shown.schemaKey}
            hint="2–10 upper-case letters and digits, starting with a letter."
            autoComplete="off"
            onChange={(e) => {
              setKeyEdited(true);
              set({ schemaKey: e.target.value.toUpperCase() });
            }}
          />
        </div>
      )}

      <fieldset className="fieldset">
        <legend className="field__label">Options</legend>
        <Checkbox
          label="Restore object icons"
          checked={values.objectIcons}
          onChange={(e) => set({ objectIcons: e.target.checked })}
        />
        <Checkbox
          label={`Restore object history${backup.historyStatus === 'included' ? '' : ' (not in this backup)'}`}
          checked={values.history}
          onChange={(e) => set({ history: e.target.checked })}
        />
        <Checkbox
          label="Restore specific object types"
          checked={values.specificTypes}
          onChange={(e) => set({ specificTypes: e.target.checked })}
        />
      </fieldset>
      {values.specificTypes ? (
        <SpecificTypes
          backupId={backup.id}
          values={values}
          error={shown.objectTypeIds}
          valid={valid}
          onChange={(objectTypeIds) => set({ objectTypeIds })}
        />
      ) : null}

      {startError ? <RestoreStartError error={startError} /> : null}
      <div className="button-group">
        <Button type="submit" appearance="primary">
          Restore
        </Button>
      </div>

      <ConfirmDialog
        open={confirming}
        title={`Restore ${backupTitle(backup).toLowerCase()}?`}
        confirmLabel="Restore"
        isWorking={starting}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void start()}
      >
        <p>
          {backupTitle(backup)} of {schemaName} ({backup.objects.toLocaleString()} objects) is restored to {where}.
        </p>
        <ul>
          <li>Object icons: {values.objectIcons ? 'yes' : 'no'}</li>
          <li>Object history: {values.history ? 'yes' : 'no'}</li>
          <li>
            Object types:{' '}
            {values.specificTypes ? `${values.objectTypeIds.size.toLocaleString()} chosen (and what they need)` : 'all'}
          </li>
        </ul>
        <p>The restore writes to Assets through its REST API and cannot be undone from the vault.</p>
      </ConfirmDialog>
    </form>
  );
}

function describeDestination(
  v: RestoreFormValues,
  target: (id: string) => TargetInstance | undefined,
  sourceName: string,
): string {
  switch (v.kind) {
    case 'current-instance':
      return `a new schema ${v.schemaName.trim()} (${v.schemaKey}) on this site`;
    case 'existing-schema': {
      const t = v.existingTarget ? target(v.existingTarget) : undefined;
      return `the existing schema you chose${t ? ` on ${t.name}` : ' on this site'}${
        v.createDuplicates ? ', duplicating objects that exist there' : ''
      }`;
    }
    case 'another-instance': {
      const site = v.targetInstanceId === NEW_TARGET ? v.newTarget.name.trim() : target(v.targetInstanceId)?.name;
      return `a new schema ${v.schemaName.trim() || sourceName} (${v.schemaKey}) on ${site ?? 'another site'}`;
    }
  }
}

function NewTargetFields({
  values,
  problems,
  onChange,
}: {
  values: RestoreFormValues;
  problems: Partial<Record<RestoreFormField, string>>;
  onChange: (patch: Partial<RestoreFormValues['newTarget']>) => void;
}) {
  const t = values.newTarget;
  return (
    <fieldset className="fieldset">
      <legend className="field__label">New target instance</legend>
      <TargetInputFields
        values={t}
        errors={perTargetInput((field) => problems[field])}
        ids={perTargetInput((field) => FIELD_IDS[field])}
        labels={{
          name: 'Target name',
          url: 'Jira site URL',
          assetsApiBaseUrl: 'Target Assets API base URL (optional)',
        }}
        onChange={onChange}
      />
      <Checkbox
        label="Save this target instance for later restores (the token is stored encrypted)"
        checked={t.save}
        onChange={(e) => onChange({ save: e.target.checked })}
      />
    </fieldset>
  );
}

function ExistingSchemaFields({
  values,
  problems,
  targets,
  onChange,
}: {
  values: RestoreFormValues;
  problems: Partial<Record<RestoreFormField, string>>;
  targets: TargetInstance[];
  onChange: (patch: Partial<RestoreFormValues>) => void;
}) {
  const schemas = useResource(
    (signal) => vault.liveSchemas(values.existingTarget, { signal }),
    [values.existingTarget],
  );
  const duplicatesHint = useId();
  return (
    <>
      <SelectField
        label="Instance"
        value={values.existingTarget}
        onChange={(e) => onChange({ existingTarget: e.target.value, existingSchemaId: '' })}
        options={[
          { value: '', label: 'This site' },
          ...targets.map((t) => ({ value: t.id, label: `${t.name} — ${t.url}` })),
        ]}
      />
      {schemas.state === 'error' ? (
        <ErrorState
          error={schemas.error}
          what="The schemas of this instance could not be read"
          onRetry={schemas.retry}
        />
      ) : null}
      <SelectField
        id={FIELD_IDS.existingSchemaId}
        label="Existing schema"
        value={values.existingSchemaId}
        error={problems.existingSchemaId}
        disabled={schemas.state !== 'ready'}
        onChange={(e) => onChange({ existingSchemaId: e.target.value })}
        options={[
          {
            value: '',
            label: schemas.state === 'loading' ? 'Reading the schemas…' : 'Choose…',
          },
          ...(schemas.state === 'ready' ? schemas.data.items : []).map((s) => ({
            value: s.id,
            label: `${s.name} (${s.objectSchemaKey}) · ${s.objectCount.toLocaleString()} objects`,
          })),
        ]}
      />
      <div>
        <Checkbox
          label="Duplicate objects"
          aria-describedby={duplicatesHint}
          checked={values.createDuplicates}
          onChange={(e) => onChange({ createDuplicates: e.target.checked })}
        />
        <p className="field__hint" id={duplicatesHint}>
          Off: an object of the backup that already exists in the schema (same object ID) is skipped, so a restore can
          be repeated safely. On: every object of the backup is created again, next to any copy already there.
        </p>
      </div>
    </>
  );
}

type PreviewState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'ready'; data: RestorePreview }
  | { state: 'error'; error: ApiError };

/** The type tree with checkboxes, and what the restore brings in besides (parents, referenced types). */
function SpecificTypes({
  backupId,
  values,
  error,
  valid,
  onChange,
}: {
  backupId: string;
  values: RestoreFormValues;
  error: string | undefined;
  valid: boolean;
  onChange: (next: Set<string>) => void;
}) {
  const types = useResource((signal) => vault.objectTypes(backupId, { signal }), [backupId]);
  // the preview is asked again only when the request it would send changes
  const request = useMemo(() => (valid ? restoreRequest(backupId, values) : undefined), [valid, backupId, values]);
  const requestKey = request ? JSON.stringify(request) : '';
  const [preview, setPreview] = useState<PreviewState>({ state: 'idle' });
  useEffect(() => {
    if (!request) {
      setPreview({ state: 'idle' });
      return;
    }
    const controller = new AbortController();
    setPreview({ state: 'loading' });
    // wait until the ticking stops: one preview for a burst of clicks
    const timer = setTimeout(() => {
      vault.previewRestore(request, { signal: controller.signal }).then(
        (data) => {
          if (!controller.signal.aborted) setPreview({ state: 'ready', data });
        },
        (err: unknown) => {
          if (!controller.signal.aborted) setPreview({ state: 'error', error: asApiError(err) });
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [requestKey]);

  const extra = preview.state === 'ready' ? preview.data.objectTypes.filter((t) => t.role !== 'selected') : [];
  return (
    <div className="field" id={FIELD_IDS.objectTypeIds} tabIndex={-1}>
      <span className="field__label" id="restore-types-label">
        Object types to restore
      </span>
      <span className="field__hint">Choosing a type also chooses the parent types it needs.</span>
      {types.state === 'loading' ? <Loading>Loading the object types…</Loading> : null}
      {types.state === 'error' ? (
        <ErrorState error={types.error} what="The object types could not be loaded" onRetry={types.retry} />
      ) : null}
      {types.data ? (
        <TypeTree
          label="Object types to restore"
          roots={types.data.items}
          checked={values.objectTypeIds}
          onCheckedChange={onChange}
        />
      ) : null}
      {error ? (
        <span className="field__error">
          <span aria-hidden="true">⚠</span> {error}
        </span>
      ) : null}
      <div aria-live="polite">
        {values.objectTypeIds.size === 0 ? null : preview.state === 'idle' ? (
          <p className="subtle">Fill in the destination to see what the restore brings in.</p>
        ) : preview.state === 'loading' ? (
          <Loading>Working out what the restore brings in…</Loading>
        ) : preview.state === 'error' ? (
          <ErrorState error={preview.error} what="What the restore brings in could not be worked out" />
        ) : (
          <SectionMessage
            appearance={preview.data.warnings.length > 0 ? 'warning' : 'information'}
            title={`The restore creates up to ${preview.data.objectCount.toLocaleString()} objects`}
          >
            {extra.length > 0 ? (
              <>
                <p>Besides the chosen types it brings in:</p>
                <ul aria-label="Types the restore brings in">
                  {extra.map((t) => (
                    <li key={t.id}>
                      {t.name} ({t.role === 'parent' ? 'parent of a chosen type' : 'referenced by a chosen type'})
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p>Only the chosen types.</p>
            )}
            {preview.data.warnings.length > 0 ? (
              <ul>
                {preview.data.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </SectionMessage>
        )}
      </div>
    </div>
  );
}

/** The vault's refusal, with a hint where the user can act on it. */
function RestoreStartError({ error }: { error: ApiError }) {
  return (
    <SectionMessage appearance="error" title="The restore was not started">
      <p>{error.message}</p>
      {error.code === 'no_credentials' ? (
        <p>
          Store the site's Assets API credentials under{' '}
          <Link to="/settings#credentials">Settings › Stored credentials</Link> first.
        </p>
      ) : null}
    </SectionMessage>
  );
}
