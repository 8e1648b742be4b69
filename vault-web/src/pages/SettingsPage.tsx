/**
 * Settings of the site: the stored Assets API credentials (vault-side backups, restores to this site), the
 * target instances (other sites to restore to), the retention policy, the trash (deleted backups until they are
 * purged) and the audit log.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api/http.js';
import { vault, type AuditPage, type RetentionPolicy, type TargetInstance, type TrashList } from '../api/vault.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { DataTable, Pager } from '../components/DataTable.js';
import { DateTime } from '../components/DateTime.js';
import { ErrorState, Loading, SectionMessage } from '../components/Feedback.js';
import { Checkbox, TextField } from '../components/Fields.js';
import { PageHeader } from '../components/Layout.js';
import { TargetInputFields } from '../components/TargetInputFields.js';
import { preloadLoginOptions } from './SignInPage.js';
import { targetInputProblems } from '../lib/restore-form.js';
import { asApiError, useResource } from '../lib/use-resource.js';

const SECTIONS = [
  { id: 'credentials', title: 'Stored credentials' },
  { id: 'targets', title: 'Target instances' },
  { id: 'retention', title: 'Retention policy' },
  { id: 'trash', title: 'Trash' },
  { id: 'audit', title: 'Audit log' },
];

export function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Settings of your site in this vault." />
      <nav aria-label="Settings sections">
        <ul className="app-nav__links">
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a className="app-nav__link" href={`#${s.id}`}>
                {s.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <CredentialsSection />
      <TargetInstancesSection />
      <RetentionSection />
      <TrashSection />
      <AuditSection />
    </>
  );
}

function Saved({ children }: { children: string }) {
  return (
    <SectionMessage appearance="success">
      <p>{children}</p>
    </SectionMessage>
  );
}

function CredentialsSection() {
  const stored = useResource(async (signal) => {
    try {
      return await vault.getCredentials({ signal });
    } catch (err) {
      if (asApiError(err).status === 404) return null;
      throw err;
    }
  }, []);
  const [form, setForm] = useState<
    { email: string; apiToken: string; assetsApiBaseUrl: string; enabled: boolean } | undefined
  >();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [confirmDelete, setConfirmDelete] = useState(false);

  const current = stored.state === 'ready' ? stored.data : undefined;
  const values = form ?? {
    email: current?.email ?? '',
    apiToken: '',
    assetsApiBaseUrl: current?.assetsApiBaseUrl ?? '',
    enabled: current?.vaultBackupsEnabled ?? true,
  };
  const set = (patch: Partial<typeof values>) => setForm({ ...values, ...patch });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    setSaved(undefined);
    try {
      await vault.saveCredentials({
        email: values.email.trim(),
        apiToken: values.apiToken,
        ...(values.assetsApiBaseUrl.trim() ? { assetsApiBaseUrl: values.assetsApiBaseUrl.trim() } : {}),
        vaultBackupsEnabled: values.enabled,
      });
      setForm(undefined);
      setSaved('The credentials were saved (the token is stored encrypted and never shown again).');
      stored.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    setSaving(true);
    try {
      await vault.deleteCredentials();
      setConfirmDelete(false);
      setForm(undefined);
      setSaved('The credentials were deleted.');
      stored.reload();
    } catch (err) {
      setError(asApiError(err));
      setConfirmDelete(false);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" id="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Stored credentials</h2>
      <p className="subtle">
        An Atlassian account's e-mail and API token with access to Assets. The vault uses them to back up a schema from
        here ("Backup now") and to compare a backup with the live schema.
      </p>
      {stored.state === 'loading' ? <Loading>Loading the stored credentials…</Loading> : null}
      {stored.state === 'error' ? (
        <ErrorState error={stored.error} what="The credentials could not be loaded" onRetry={stored.retry} />
      ) : null}
      {stored.state === 'ready' ? (
        <form className="form" onSubmit={(event) => void save(event)}>
          <p>
            {current
              ? `Stored for ${current.email}${current.hasToken ? ' with an API token' : ''}.`
              : 'No credentials are stored for this site.'}
          </p>
          <TextField
            label="E-mail"
            type="email"
            required
            autoComplete="off"
            value={values.email}
            onChange={(e) => set({ email: e.target.value })}
          />
          <TextField
            label="API token"
            type="password"
            required
            autoComplete="new-password"
            value={values.apiToken}
            hint={
              current
                ? 'Enter the token again to save changes; the stored one is never shown.'
                : 'Create one at id.atlassian.com → Security → API tokens.'
            }
            onChange={(e) => set({ apiToken: e.target.value })}
          />
          <TextField
            label="Assets API base URL (optional)"
            type="url"
            value={values.assetsApiBaseUrl}
            placeholder="https://api.atlassian.com/jsm/assets/workspace/…/v1"
            hint="Leave empty for Atlassian's gateway."
            onChange={(e) => set({ assetsApiBaseUrl: e.target.value })}
          />
          <Checkbox
            label="Allow backups from the vault with these credentials"
            checked={values.enabled}
            onChange={(e) => set({ enabled: e.target.checked })}
          />
          {error ? <ErrorState error={error} what="The credentials were not saved" /> : null}
          {saved ? <Saved>{saved}</Saved> : null}
          <div className="button-group">
            <Button type="submit" appearance="primary" isLoading={saving}>
              Save credentials
            </Button>
            {current ? (
              <Button appearance="subtle" onClick={() => setConfirmDelete(true)}>
                Delete credentials
              </Button>
            ) : null}
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete the stored credentials?"
        confirmLabel="Delete"
        appearance="danger"
        isWorking={saving}
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void remove()}
      >
        <p>Backups from the vault and comparisons with the live schema stop working until new credentials are saved.</p>
      </ConfirmDialog>
    </section>
  );
}

const NO_TARGET = { name: '', url: '', email: '', apiToken: '', assetsApiBaseUrl: '' };

/** Other sites backups can be restored to: listed, added after the vault reached them, deleted after a confirmation. */
function TargetInstancesSection() {
  const targets = useResource((signal) => vault.listTargetInstances({ signal }), []);
  const options = useResource(() => preloadLoginOptions(), []);
  const [form, setForm] = useState(NO_TARGET);
  const [submitted, setSubmitted] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [toDelete, setToDelete] = useState<TargetInstance | undefined>();
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<ApiError | undefined>();
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const problems = targetInputProblems(form, options.data?.allowInsecureSiteUrls ?? false);
  const shown = submitted ? problems : {};

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    setSaved(undefined);
    setError(undefined);
    if (Object.keys(problems).length > 0) return;
    setSaving(true);
    try {
      const created = await vault.createTargetInstance({
        name: form.name.trim(),
        url: form.url.trim(),
        email: form.email.trim(),
        apiToken: form.apiToken,
        ...(form.assetsApiBaseUrl.trim() ? { assetsApiBaseUrl: form.assetsApiBaseUrl.trim() } : {}),
      });
      setForm(NO_TARGET);
      setSubmitted(false);
      setSaved(`The vault reached ${created.name} and saved it as a target instance.`);
      targets.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setSaving(false);
    }
  };
  const remove = async () => {
    if (!toDelete) return;
    setDeleting(true);
    setDeleteError(undefined);
    try {
      await vault.deleteTargetInstance(toDelete.id);
      setSaved(`The target instance ${toDelete.name} was deleted.`);
      setToDelete(undefined);
      targets.reload();
    } catch (err) {
      setDeleteError(asApiError(err));
    } finally {
      setDeleting(false);
    }
  };

  return (
    <section className="card" id="targets" aria-labelledby="targets-title">
      <h2 id="targets-title">Target instances</h2>
      <p className="subtle">
        Other Jira sites a backup can be restored to, each with an Atlassian account's e-mail and API token (stored
        encrypted, never shown again). The vault checks that it can reach the site's Assets before saving it.
      </p>
      {targets.state === 'loading' && !targets.data ? <Loading>Loading the target instances…</Loading> : null}
      {targets.state === 'error' ? (
        <ErrorState error={targets.error} what="The target instances could not be loaded" onRetry={targets.retry} />
      ) : null}
      {targets.data ? (
        <DataTable<TargetInstance>
          caption="Target instances"
          captionHidden
          rows={targets.data.items}
          rowKey={(t) => t.id}
          busy={targets.state === 'loading'}
          empty={<p className="subtle">No target instance yet.</p>}
          columns={[
            { key: 'name', header: 'Name', isRowHeader: true, cell: (t) => t.name },
            { key: 'url', header: 'Site', cell: (t) => t.url },
            { key: 'email', header: 'Account', cell: (t) => t.email },
            {
              key: 'added',
              header: 'Added',
              cell: (t) => (
                <>
                  <DateTime iso={t.createdAt} /> by {t.createdBy}
                </>
              ),
            },
            {
              key: 'checked',
              header: 'Last reached',
              cell: (t) => (t.lastCheckedAt ? <DateTime iso={t.lastCheckedAt} /> : 'Never'),
            },
            {
              key: 'delete',
              header: <span className="visually-hidden">Actions</span>,
              cell: (t) => (
                <Button
                  appearance="subtle"
                  aria-label={`Delete the target instance ${t.name}`}
                  onClick={() => {
                    setDeleteError(undefined);
                    setToDelete(t);
                  }}
                >
                  Delete
                </Button>
              ),
            },
          ]}
        />
      ) : null}
      <form className="form" noValidate onSubmit={(event) => void add(event)} aria-labelledby="target-add-title">
        <h3 id="target-add-title">Add a target instance</h3>
        <TargetInputFields
          values={form}
          errors={shown}
          labels={{ name: 'Name', url: 'Site URL', assetsApiBaseUrl: "Target's Assets API base URL (optional)" }}
          onChange={set}
        />
        {error ? <ErrorState error={error} what="The target instance was not saved" /> : null}
        {saved ? <Saved>{saved}</Saved> : null}
        <div className="button-group">
          <Button type="submit" appearance="primary" isLoading={saving}>
            {saving ? 'Checking the site…' : 'Check and save'}
          </Button>
        </div>
      </form>
      <ConfirmDialog
        open={toDelete !== undefined}
        title={toDelete ? `Delete the target instance ${toDelete.name}?` : 'Delete the target instance?'}
        confirmLabel="Delete"
        appearance="danger"
        isWorking={deleting}
        onCancel={() => setToDelete(undefined)}
        onConfirm={() => void remove()}
      >
        <p>
          Its stored API token is deleted. Restores already made to {toDelete?.url ?? 'it'} keep their history; new
          restores to this site need the target instance again.
        </p>
        {deleteError ? <ErrorState error={deleteError} what="The target instance was not deleted" /> : null}
      </ConfirmDialog>
    </section>
  );
}

const LIMITS: { key: keyof RetentionPolicy; label: string; hint: string }[] = [
  { key: 'keepManual', label: 'Manual backups to keep per schema', hint: 'The newest are kept. Empty: all.' },
  { key: 'keepScheduled', label: 'Scheduled backups to keep per schema', hint: 'The newest are kept. Empty: all.' },
  {
    key: 'maxAgeDays',
    label: 'Delete backups older than (days)',
    hint: "A schema's newest backup is always kept. Empty: no limit.",
  },
];

function RetentionSection() {
  const policy = useResource((signal) => vault.getRetention({ signal }), []);
  const [draft, setDraft] = useState<Record<keyof RetentionPolicy, string> | undefined>();
  const [confirming, setConfirming] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const current = policy.state === 'ready' ? policy.data : undefined;
  const values =
    draft ??
    (Object.fromEntries(LIMITS.map((l) => [l.key, current?.[l.key]?.toString() ?? ''])) as Record<
      keyof RetentionPolicy,
      string
    >);
  const problems = Object.fromEntries(
    LIMITS.map((l) => {
      const v = values[l.key].trim();
      const ok = v === '' || (/^\d+$/.test(v) && (l.key !== 'maxAgeDays' || Number(v) >= 1));
      return [
        l.key,
        ok
          ? undefined
          : l.key === 'maxAgeDays'
            ? 'Enter a whole number of days (1 or more), or leave empty.'
            : 'Enter a whole number, or leave empty.',
      ];
    }),
  ) as Record<keyof RetentionPolicy, string | undefined>;
  const valid = Object.values(problems).every((p) => p === undefined);

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      const toNumber = (v: string) => (v.trim() === '' ? null : Number(v));
      const result = await vault.saveRetention({
        keepManual: toNumber(values.keepManual),
        keepScheduled: toNumber(values.keepScheduled),
        maxAgeDays: toNumber(values.maxAgeDays),
      });
      setDraft(undefined);
      setSaved(
        `The retention policy was saved and applied: ${result.deleted.length === 0 ? 'no backup was' : `${result.deleted.length} backup${result.deleted.length === 1 ? ' was' : 's were'}`} deleted.`,
      );
      policy.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setSaving(false);
      setConfirming(false);
    }
  };

  return (
    <section className="card" id="retention" aria-labelledby="retention-title">
      <h2 id="retention-title">Retention policy</h2>
      <p className="subtle">
        Backups beyond these limits are deleted when the policy is saved and every hour afterwards.
      </p>
      {policy.state === 'loading' ? <Loading>Loading the retention policy…</Loading> : null}
      {policy.state === 'error' ? (
        <ErrorState error={policy.error} what="The retention policy could not be loaded" onRetry={policy.retry} />
      ) : null}
      {current ? (
        <form
          className="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setSaved(undefined);
            if (valid) setConfirming(true);
          }}
        >
          <div className="form-row">
            {LIMITS.map((l) => (
              <TextField
                key={l.key}
                label={l.label}
                inputMode="numeric"
                value={values[l.key]}
                hint={l.hint}
                error={problems[l.key]}
                onChange={(e) => setDraft({ ...values, [l.key]: e.target.value })}
              />
            ))}
          </div>
          {error ? <ErrorState error={error} what="The retention policy was not saved" /> : null}
          {saved ? <Saved>{saved}</Saved> : null}
          <div className="button-group">
            <Button type="submit" appearance="primary" disabled={!valid}>
              Save retention policy
            </Button>
          </div>
        </form>
      ) : null}
      <ConfirmDialog
        open={confirming}
        title="Apply the retention policy now?"
        confirmLabel="Save and apply"
        appearance="danger"
        isWorking={saving}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void save()}
      >
        <p>Saving applies the policy at once: backups beyond the limits are deleted for good.</p>
      </ConfirmDialog>
    </section>
  );
}

type AuditEntry = AuditPage['items'][number];

type TrashEntry = TrashList['items'][number];

function TrashSection() {
  const trash = useResource((signal) => vault.listTrash({ signal }), []);
  const [restoring, setRestoring] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [restored, setRestored] = useState<string | undefined>();
  const restore = async (entry: TrashEntry) => {
    setRestoring(entry.id);
    setError(undefined);
    setRestored(undefined);
    try {
      await vault.restoreFromTrash(entry.id);
      setRestored(`The backup of ${entry.schemaName} is back in its schema's list.`);
      trash.reload();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setRestoring(undefined);
    }
  };
  return (
    <section className="card" id="trash" aria-labelledby="trash-title">
      <h2 id="trash-title">Trash</h2>
      <p className="subtle">
        Deleted backups stay here
        {trash.data ? ` for ${trash.data.trashDays} days` : ''} before they are removed for good, and can be restored
        until then.
      </p>
      {trash.state === 'loading' && !trash.data ? <Loading>Loading the trash…</Loading> : null}
      {trash.state === 'error' ? (
        <ErrorState error={trash.error} what="The trash could not be loaded" onRetry={trash.retry} />
      ) : null}
      {error ? <ErrorState error={error} what="The backup was not restored" /> : null}
      {restored ? <Saved>{restored}</Saved> : null}
      {trash.data ? (
        <DataTable<TrashEntry>
          caption="Deleted backups"
          captionHidden
          rows={trash.data.items}
          rowKey={(e) => e.id}
          empty={<p className="subtle">The trash is empty.</p>}
          columns={[
            { key: 'schema', header: 'Schema', isRowHeader: true, cell: (e) => `${e.schemaName} (${e.schemaKey})` },
            { key: 'date', header: 'Backup date', cell: (e) => <DateTime iso={e.backupDate} /> },
            { key: 'objects', header: 'Objects', cell: (e) => e.objects.toLocaleString() },
            { key: 'deleted', header: 'Deleted', cell: (e) => <DateTime iso={e.deletedAt} /> },
            { key: 'by', header: 'Deleted by', cell: (e) => e.deletedBy },
            { key: 'purge', header: 'Removed for good', cell: (e) => <DateTime iso={e.purgeAfter} /> },
            {
              key: 'restore',
              header: 'Restore',
              cell: (e) => (
                <Button
                  appearance="subtle"
                  isLoading={restoring === e.id}
                  aria-label={`Restore the backup of ${e.schemaName} from the trash`}
                  onClick={() => void restore(e)}
                >
                  Restore
                </Button>
              ),
            },
          ]}
        />
      ) : null}
    </section>
  );
}

function AuditSection() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useResource(
    (signal) => vault.listAudit({ limit: 25, ...(cursor ? { cursor } : {}) }, { signal }),
    [cursor],
  );
  return (
    <section className="card" id="audit" aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <p className="subtle">Who did what on this site in the vault and the Jira app, newest first.</p>
      {page.state === 'loading' && !page.data ? <Loading>Loading the audit log…</Loading> : null}
      {page.state === 'error' ? (
        <ErrorState error={page.error} what="The audit log could not be loaded" onRetry={page.retry} />
      ) : null}
      {page.data ? (
        <DataTable<AuditEntry>
          caption="Audit log"
          captionHidden
          rows={page.data.items}
          rowKey={(e) => e.id}
          empty={<p className="subtle">Nothing was recorded yet.</p>}
          columns={[
            { key: 'when', header: 'When', cell: (e) => <DateTime iso={e.createdAt} /> },
            { key: 'who', header: 'Who', cell: (e) => e.actor },
            { key: 'what', header: 'Action', isRowHeader: true, cell: (e) => <code>{e.action}</code> },
            { key: 'target', header: 'Target', cell: (e) => e.target ?? '' },
            {
              key: 'details',
              header: 'Details',
              cell: (e) =>
                Object.keys(e.details).length === 0 ? (
                  ''
                ) : (
                  <code className="subtlest">{JSON.stringify(e.details)}</code>
                ),
            },
          ]}
          footer={
            cursors.length > 1 || page.data.nextCursor ? (
              <Pager
                label={`Page ${cursors.length}`}
                hasPrevious={cursors.length > 1}
                hasNext={page.data.nextCursor !== null}
                onPrevious={() => setCursors((c) => c.slice(0, -1))}
                onNext={() => {
                  const next = page.data?.nextCursor;
                  if (next) setCursors((c) => [...c, next]);
                }}
              />
            ) : null
          }
        />
      ) : null}
    </section>
  );
}
