/**
 * The Restore tab through the real Forge reconciler (forge-doc.ts): what Jira receives and what the admin's clicks
 * send to the resolvers. Covers the synced schemas grid, the backups grid with its filters, empty state and
 * deletion, the destination form's validation for each destination, the credentials asked once, the confirmation
 * and the status, the restores grid's details, and a vault that cannot be reached.
 */
import React from 'react';
import type { BackupRow, RestoreDetail, SchemaSummary } from '../../src/contract';
import { App } from '../../src/frontend/App';
import { RestoreTab } from '../../src/frontend/restore/RestoreTab';
import { STATUS_POLL_MS } from '../../src/frontend/restore/RestoreStatus';
import { find, renderForge, text, type Answer, type ForgePage } from './forge-doc';

const SCHEMA: SchemaSummary = {
  schemaId: '11',
  name: 'IT Assets',
  key: 'ITA',
  objectCount: 120,
  synced: true,
  backupsCount: 2,
  lastBackup: { id: 'b2', completedAt: '2026-11-20T02:00:00.000Z', kind: 'scheduled', objects: 120 },
};
const row = (id: string, n: number, type: 'manual' | 'scheduled', date: string): BackupRow => ({
  id,
  n,
  backupDate: date,
  objects: 100 + n * 10,
  type,
  historyStatus: type === 'scheduled' ? 'included' : 'not included',
  objectsInIssuesStatus: 'not included',
  browse: 'ready',
  search: 'indexed',
  warnings: [],
});
const BACKUPS = [
  row('b2', 2, 'scheduled', '2026-11-20T02:00:00.000Z'),
  row('b1', 1, 'manual', '2026-11-01T10:00:00.000Z'),
];
const TYPES = [
  {
    id: 't1',
    name: 'Hardware',
    parentId: null,
    abstract: false,
    objectCount: 10,
    children: [
      { id: 't2', name: 'Laptop', parentId: 't1', abstract: false, objectCount: 60, children: [] },
      { id: 't3', name: 'Server', parentId: 't1', abstract: false, objectCount: 20, children: [] },
    ],
  },
  { id: 't4', name: 'People', parentId: null, abstract: false, objectCount: 40, children: [] },
];

function restore(status: RestoreDetail['status'], patch: Partial<RestoreDetail> = {}): RestoreDetail {
  return {
    id: 'r1',
    backupId: 'b2',
    backupCreatedAt: '2026-11-20T02:00:00.000Z',
    source: { schemaId: '11', schemaName: 'IT Assets', schemaKey: 'ITA', siteUrl: 'https://acme.atlassian.net' },
    destination: {
      kind: 'current-instance',
      siteUrl: 'https://acme.atlassian.net',
      schemaName: 'IT Assets restored',
      schemaKey: 'ITR',
      ...(status === 'completed'
        ? { schemaId: '90', schemaUrl: 'https://acme.atlassian.net/jira/servicedesk/assets/object-schema/90' }
        : {}),
    },
    options: { objectIcons: false, history: true, objectTypeIds: null },
    status,
    resultMessage: status === 'completed' ? 'Operation success' : status === 'error' ? 'The target refused' : null,
    progress: { phase: 'objects', done: 60, total: 120, objectsPerMinute: 1900, etaSeconds: 2 },
    counts: { created: status === 'completed' ? 120 : 60, skipped: 0, failed: 0, warnings: 0 },
    createdBy: 'forge:acc-1',
    createdAt: '2026-12-01T09:00:00.000Z',
    startedAt: '2026-12-01T09:00:01.000Z',
    endedAt: status === 'completed' ? '2026-12-01T09:00:05.000Z' : null,
    issueFields: { status: 'not_started', updatedFields: 0, failedFields: 0, updatedAt: null, message: null },
    warningsSample: [],
    ...patch,
  };
}

const ok = (data: unknown) => ({ ok: true, data });
const refused = (code: string, message: string) => ({ ok: false, error: { code, message } });

/** The resolvers as the vault answers them; each test changes what it needs. */
function resolvers(overrides: Record<string, (payload: Record<string, unknown>) => unknown> = {}): Answer {
  const base: Record<string, (payload: Record<string, unknown>) => unknown> = {
    listVaultSchemas: () => ok([SCHEMA]),
    listBackups: (p) => ok(BACKUPS.filter((b) => !p.kind || b.type === p.kind)),
    listRestores: () => ok({ items: [restore('completed')] }),
    getSiteCredentials: () => ok({ stored: true, email: 'admin@acme.example' }),
    listTargetInstances: () =>
      ok([{ id: 'ti1', name: 'Staging', url: 'https://staging.atlassian.net', email: 'a@b.example' }]),
    listAssetsSchemas: () => ok([{ id: '55', name: 'Existing', objectSchemaKey: 'EX', objectCount: 3 }]),
    backupObjectTypes: () => ok(TYPES),
    ...overrides,
  };
  return (key, payload) => {
    const handler = base[key];
    if (!handler) throw new Error(`unexpected resolver ${key}`);
    return handler(payload);
  };
}

async function openSchema(answer: Answer, onSchedule = jest.fn()): Promise<ForgePage> {
  const page = await renderForge(<RestoreTab onSchedule={onSchedule} />, answer);
  await page.click('Restore');
  return page;
}

/** Rows of the table with this caption, as the text of each cell. */
function tableRows(page: ForgePage, caption: string): string[][] {
  const table = find(page.doc(), 'DynamicTable').find((t) => t.props.caption === caption);
  if (!table) throw new Error(`no table "${caption}"`);
  const rows = find(table, 'ContentWrapper').find((w) => w.props.name === 'rows');
  return rows ? find(rows, 'Row').map((r) => find(r, 'Cell').map(text)) : [];
}

const calls = (page: ForgePage, key: string) => page.invoked.filter((c) => c.key === key).map((c) => c.payload);
const errors = (page: ForgePage) => find(page.doc(), 'ErrorMessage').map(text);

afterEach(() => {
  jest.useRealTimers();
});

describe('synced schemas and available backups', () => {
  it('lists the synced schemas with Restore, then the schema backups with the seed columns', async () => {
    const page = await renderForge(<RestoreTab onSchedule={jest.fn()} />, resolvers());
    expect(tableRows(page, 'Synced schemas')).toEqual([
      ['IT Assets', 'ITA', '120', expect.stringContaining('scheduled'), '2', 'Restore'],
    ]);
    await page.click('Restore');
    expect(calls(page, 'listBackups')).toEqual([{ schemaId: '11' }]);
    expect(text(find(page.doc(), 'Heading').find((h) => text(h).startsWith('Available backups')) as never)).toBe(
      'Available backups (2)',
    );
    const rows = tableRows(page, 'Backups of IT Assets');
    expect(rows.map((r) => [r[0], r[2], r[3], r[4], r[5], r[6]])).toEqual([
      ['2', '120', 'Scheduled', 'included', 'not included', 'SelectDelete'],
      ['1', '110', 'Manual', 'not included', 'not included', 'SelectDelete'],
    ]);
    expect(page.texts()).toContain('Select a backup to restore it.');
    // the restores grid of the schema
    expect(calls(page, 'listRestores')).toEqual([{ schemaId: '11' }]);
    expect(tableRows(page, "Restores of this schema's backups")[0]).toEqual(
      expect.arrayContaining(['IT Assets restored (ITR) · this site', 'Completed', 'Operation success']),
    );
  });

  it('filters by type, by a day and by a date range; a reversed range is refused in the page', async () => {
    const page = await openSchema(resolvers());
    await page.fire(page.field('backup-type-filter'), 'onChange', { label: 'Scheduled', value: 'scheduled' });
    expect(calls(page, 'listBackups').at(-1)).toEqual({ schemaId: '11', kind: 'scheduled' });
    expect(tableRows(page, 'Backups of IT Assets').map((r) => r[0])).toEqual(['2']);

    await page.fire(page.field('backup-date-filter'), 'onChange', { label: 'On a date', value: 'day' });
    expect(errors(page)).toEqual(['Choose a date']);
    const before = calls(page, 'listBackups').length;
    await page.fire(page.field('backup-date-from'), 'onChange', '2026-11-20');
    expect(calls(page, 'listBackups').length).toBe(before + 1);
    expect(calls(page, 'listBackups').at(-1)).toEqual({
      schemaId: '11',
      kind: 'scheduled',
      from: new Date('2026-11-20T00:00:00.000').toISOString(),
      to: new Date('2026-11-20T23:59:59.999').toISOString(),
    });

    await page.fire(page.field('backup-date-filter'), 'onChange', { label: 'Date range', value: 'range' });
    await page.fire(page.field('backup-date-to'), 'onChange', '2026-11-01');
    expect(errors(page)).toEqual(['The first day must not be after the last day']);
    const refusedCount = calls(page, 'listBackups').length;
    await page.fire(page.field('backup-date-from'), 'onChange', '2026-10-01');
    expect(errors(page)).toEqual([]);
    expect(calls(page, 'listBackups').length).toBe(refusedCount + 1);
    expect(calls(page, 'listBackups').at(-1)).toMatchObject({
      from: new Date('2026-10-01T00:00:00.000').toISOString(),
      to: new Date('2026-11-01T23:59:59.999').toISOString(),
    });
  });

  it('shows the empty state with Backup now and Schedule, and "Clear filters" when filters hide every backup', async () => {
    const onSchedule = jest.fn();
    const page = await openSchema(
      resolvers({
        listBackups: (p) => ok(p.kind ? [] : []),
        backupNow: () =>
          ok({ jobId: 'j', kind: 'manual', status: 'queued', requestedAt: '', records: 0, chunks: 0, invocations: 0 }),
      }),
      onSchedule,
    );
    const empty = find(page.doc(), 'EmptyState')[0];
    expect(empty?.props.header).toBe('No backups yet');
    expect(find(page.doc(), 'DynamicTable').map((t) => t.props.caption)).not.toContain('Backups of IT Assets');
    await page.click('Backup now');
    expect(calls(page, 'backupNow')).toEqual([{ schemaId: '11' }]);
    expect(page.texts()).toContain('Backup of IT Assets started.');
    await page.click('Schedule');
    expect(onSchedule).toHaveBeenCalledTimes(1);

    await page.fire(page.field('backup-type-filter'), 'onChange', { label: 'Manual', value: 'manual' });
    expect(find(page.doc(), 'EmptyState')[0]?.props.header).toBe('No backups match these filters');
    await page.click('Clear filters');
    expect(calls(page, 'listBackups').at(-1)).toEqual({ schemaId: '11' });
  });

  it('deletes a backup only after its confirmation', async () => {
    const page = await openSchema(
      resolvers({ deleteBackup: (p) => ok({ backupId: p.backupId, purgeAfter: '2026-12-10T00:00:00.000Z' }) }),
    );
    await page.click('Delete', 1);
    const [modal] = find(page.doc(), 'Modal');
    expect(text(find(modal as never, 'ModalTitle')[0] as never)).toMatch(/^Delete backup 1 of /);
    await page.click('Cancel');
    expect(find(page.doc(), 'Modal')).toHaveLength(0);
    expect(calls(page, 'deleteBackup')).toEqual([]);

    await page.click('Delete', 1);
    const listed = calls(page, 'listBackups').length;
    const confirm = find(find(page.doc(), 'Modal')[0] as never, 'Button').find((b) => text(b) === 'Delete');
    await page.fire(confirm as never, 'onClick');
    expect(calls(page, 'deleteBackup')).toEqual([{ backupId: 'b1' }]);
    expect(find(page.doc(), 'Modal')).toHaveLength(0);
    expect(page.texts()).toContain("Backup 1 was moved to the vault's trash");
    expect(calls(page, 'listBackups').length).toBe(listed + 1);
  });

  it('says the vault cannot be reached, with Try again, instead of spinning', async () => {
    let reachable = false;
    const page = await renderForge(
      <RestoreTab onSchedule={jest.fn()} />,
      resolvers({
        listVaultSchemas: () =>
          reachable
            ? ok([SCHEMA])
            : refused('vault_request_failed', 'The vault could not be reached (Vault unreachable (ECONNREFUSED)).'),
      }),
    );
    expect(find(page.doc(), 'Spinner')).toHaveLength(0);
    const [message] = find(page.doc(), 'SectionMessage');
    expect(message?.props.title).toBe('The schemas in the vault could not be loaded');
    expect(text(message as never)).toContain('ECONNREFUSED');
    reachable = true;
    await page.click('Try again');
    expect(tableRows(page, 'Synced schemas')).toHaveLength(1);
  });
});

describe('the restore form', () => {
  async function selectBackup(answer = resolvers()): Promise<ForgePage> {
    const page = await openSchema(answer);
    await page.click('Select');
    return page;
  }
  const type = (page: ForgePage, id: string, value: string) =>
    page.fire(page.field(id), 'onChange', { target: { type: 'text', value } });
  const destination = (page: ForgePage, value: string) =>
    page.fire(find(page.doc(), 'RadioGroup')[0] as never, 'onChange', { target: { value } });

  it('shows the selected backup on the left and validates a new schema on this site', async () => {
    const page = await selectBackup();
    expect(page.texts()).toContain('Backup 2');
    expect(find(page.doc(), 'RadioGroup')[0]?.props.value).toBe('current-instance');
    await page.click('Restore');
    expect(errors(page)).toEqual(['Enter a name for the new schema', 'Enter a key for the new schema']);
    expect(find(page.doc(), 'Modal')).toHaveLength(0);
    await type(page, 'restore-schema-name', 'IT Assets restored');
    await type(page, 'restore-schema-key', 'it-1');
    // typed in lower case: shown in upper case, and still not a key (a hyphen)
    expect(page.field('restore-schema-key').props.value).toBe('IT-1');
    expect(errors(page)).toEqual(['The key must be 2 to 10 upper-case letters and digits, starting with a letter']);
    await type(page, 'restore-schema-key', 'ITR');
    expect(errors(page)).toEqual([]);
    expect(calls(page, 'previewRestore')).toEqual([]);
  });

  it('asks for an existing schema of the chosen instance, with Duplicate objects', async () => {
    const page = await selectBackup();
    await destination(page, 'existing-schema');
    expect(calls(page, 'listAssetsSchemas')).toEqual([{}]);
    await page.click('Restore');
    expect(errors(page)).toEqual(['Choose the schema to restore into']);
    await page.fire(page.field('restore-existing-on'), 'onChange', { label: 'Staging', value: 'ti1' });
    expect(calls(page, 'listAssetsSchemas').at(-1)).toEqual({ targetInstanceId: 'ti1' });
    await page.fire(page.field('restore-existing-schema'), 'onChange', { label: 'Existing', value: '55' });
    await page.fire(
      find(page.doc(), 'Checkbox').find((c) => c.props.label === 'Duplicate objects') as never,
      'onChange',
    );
    expect(errors(page)).toEqual([]);
    await page.click('Restore');
    expect(calls(page, 'previewRestore')).toEqual([
      {
        backupId: 'b2',
        destination: { kind: 'existing-schema', schemaId: '55', createDuplicates: true, targetInstanceId: 'ti1' },
        options: { objectIcons: false, history: false },
      },
    ]);
  });

  it('asks for a target instance, or every field of a new one, on another instance', async () => {
    const page = await selectBackup();
    await destination(page, 'another-instance');
    const targets = page.field('restore-target').props.options as Array<{ label: string; value: string }>;
    expect(targets.map((o) => o.label)).toEqual(['Staging — https://staging.atlassian.net', 'New target instance…']);
    await type(page, 'restore-schema-name', 'Copy');
    await type(page, 'restore-schema-key', 'CPY');
    await page.click('Restore');
    expect(errors(page)).toEqual(['Choose a target instance or enter a new one']);
    await page.fire(page.field('restore-target'), 'onChange', { label: 'New target instance…', value: 'new' });
    await type(page, 'restore-target-url', 'http://evil.example');
    await type(page, 'restore-target-email', 'not-an-email');
    expect(errors(page)).toEqual([
      'Enter a name of up to 100 characters',
      'Enter the site address, https://…atlassian.net',
      'Enter a valid email address',
      'Enter an API token of that account',
    ]);
    await type(page, 'restore-target-name', 'Sandbox');
    await type(page, 'restore-target-url', 'https://sandbox.atlassian.net');
    await type(page, 'restore-target-email', 'ops@acme.example');
    await type(page, 'restore-target-token', 'tok');
    expect(errors(page)).toEqual([]);
  });

  it('chooses specific object types as a tree: a child brings its parents, a parent takes its children along', async () => {
    const page = await selectBackup();
    await page.fire(
      find(page.doc(), 'Checkbox').find((c) => c.props.label === 'Restore specific object types') as never,
      'onChange',
    );
    expect(calls(page, 'backupObjectTypes')).toEqual([{ backupId: 'b2' }]);
    const box = (label: string) => find(page.doc(), 'Checkbox').find((c) => c.props.label === label) as never;
    const checked = () =>
      find(page.doc(), 'Checkbox')
        .filter((c) => c.props.isChecked === true && String(c.props.value ?? '').startsWith('t'))
        .map((c) => c.props.value);
    expect(find(page.doc(), 'Checkbox').map((c) => c.props.label)).toEqual(
      expect.arrayContaining(['Hardware (10)', '— Laptop (60)', '— Server (20)', 'People (40)']),
    );
    await type(page, 'restore-schema-name', 'Only laptops');
    await type(page, 'restore-schema-key', 'LAP');
    await page.click('Restore');
    expect(errors(page)).toEqual(['Choose at least one object type, or restore them all']);
    await page.fire(box('— Laptop (60)'), 'onChange');
    expect(checked()).toEqual(['t1', 't2']);
    await page.fire(box('— Server (20)'), 'onChange');
    await page.fire(box('Hardware (10)'), 'onChange');
    expect(checked()).toEqual([]);
    await page.fire(box('— Server (20)'), 'onChange');
    expect(checked()).toEqual(['t1', 't3']);
    expect(errors(page)).toEqual([]);
  });

  it('asks for the site credentials once when the vault has none, then offers Restore', async () => {
    let stored = false;
    const page = await selectBackup(
      resolvers({
        getSiteCredentials: () => ok({ stored, email: stored ? 'admin@acme.example' : null }),
        saveSiteCredentials: (p) => {
          stored = true;
          return ok({ stored: true, email: p.email });
        },
      }),
    );
    expect(find(page.doc(), 'SectionMessage').map((m) => m.props.title)).toContain(
      'The vault needs an API token of this site',
    );
    expect(() => page.byText('Button', 'Restore', 1)).toThrow();
    await page.click('Save in the vault');
    expect(errors(page)).toEqual(['Enter a valid email address', 'Enter the API token of that account']);
    await type(page, 'site-credentials-email', 'Admin@Acme.example');
    await type(page, 'site-credentials-token', 'ATATT-123');
    await page.click('Save in the vault');
    expect(calls(page, 'saveSiteCredentials')).toEqual([{ email: 'Admin@Acme.example', apiToken: 'ATATT-123' }]);
    expect(find(page.doc(), 'SectionMessage').map((m) => m.props.title)).not.toContain(
      'The vault needs an API token of this site',
    );
    // another instance needs no site credentials: they are not asked for
    expect(calls(page, 'getSiteCredentials')).toHaveLength(2);
  });

  it('confirms with what the vault will restore, starts it, and follows it to "Operation success"', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const statuses: RestoreDetail[] = [restore('pending'), restore('in_progress'), restore('completed')];
    const page = await selectBackup(
      resolvers({
        previewRestore: () =>
          ok({
            objectTypes: [
              { id: 't2', name: 'Laptop', role: 'selected' },
              { id: 't1', name: 'Hardware', role: 'parent' },
            ],
            objectCount: 70,
            warnings: ['Object icons are restored on the source site only'],
          }),
        startRestore: () => ok({ id: 'r1', status: 'pending' }),
        getRestore: () => ok(statuses.length > 1 ? statuses.shift() : statuses[0]),
      }),
    );
    await type(page, 'restore-schema-name', 'IT Assets restored');
    await type(page, 'restore-schema-key', 'ITR');
    await page.click('Restore');
    const request = {
      backupId: 'b2',
      destination: { kind: 'current-instance', schemaName: 'IT Assets restored', schemaKey: 'ITR' },
      options: { objectIcons: false, history: false },
    };
    expect(calls(page, 'previewRestore')).toEqual([request]);
    const [modal] = find(page.doc(), 'Modal');
    expect(text(find(modal as never, 'ModalTitle')[0] as never)).toBe('Restore backup 2?');
    expect(text(modal as never)).toContain('a new schema "IT Assets restored" (ITR) on this site');
    expect(text(modal as never)).toContain('It creates up to 70 objects.');
    expect(text(modal as never)).toContain('Object icons are restored on the source site only');
    expect(calls(page, 'startRestore')).toEqual([]);

    const start = find(modal as never, 'Button').find((b) => text(b) === 'Restore');
    await page.fire(start as never, 'onClick');
    expect(calls(page, 'startRestore')).toEqual([request]);
    expect(find(page.doc(), 'Modal')).toHaveLength(0);
    expect(find(page.doc(), 'Lozenge').map(text)).toContain('Pending');

    jest.advanceTimersByTime(STATUS_POLL_MS);
    await page.settle();
    expect(find(page.doc(), 'ProgressBar')[0]?.props.value).toBe(0.5);
    expect(page.texts()).toContain('60 of 120 objects · 1900 objects/min · about 2 s left (objects)');

    jest.advanceTimersByTime(STATUS_POLL_MS);
    await page.settle();
    const done = find(page.doc(), 'SectionMessage').find((m) => m.props.appearance === 'success');
    expect(done?.props.title).toBe('Operation success');
    expect(text(done as never)).toContain('120 objects created, 0 skipped, 0 failed, 0 warnings.');
    expect(find(page.doc(), 'Link')[0]?.props.href).toBe(
      'https://acme.atlassian.net/jira/servicedesk/assets/object-schema/90',
    );
    // finished: no more polling, and the restores grid was reloaded
    const polls = calls(page, 'getRestore').length;
    jest.advanceTimersByTime(STATUS_POLL_MS * 3);
    await page.settle();
    expect(calls(page, 'getRestore').length).toBe(polls);
    // the grid reloaded when the restore was accepted and when it finished
    expect(calls(page, 'listRestores').length).toBe(3);
  });

  it('shows why a restore cannot start (the vault checked the key live), and a failed restore with its cause', async () => {
    let preview: unknown = refused('schema_key_taken', 'The schema key ITA is already used on the target site');
    const page = await selectBackup(
      resolvers({
        previewRestore: () => preview,
        startRestore: () => ok({ id: 'r1', status: 'pending' }),
        getRestore: () => ok(restore('error')),
      }),
    );
    await type(page, 'restore-schema-name', 'Again');
    await type(page, 'restore-schema-key', 'ITA');
    await page.click('Restore');
    let [modal] = find(page.doc(), 'Modal');
    expect(text(modal as never)).toContain('The schema key ITA is already used on the target site');
    expect(find(modal as never, 'Button').find((b) => text(b) === 'Restore')?.props.isDisabled).toBe(true);
    expect(calls(page, 'startRestore')).toEqual([]);
    await page.click('Cancel');

    preview = ok({ objectTypes: [], objectCount: 120, warnings: [] });
    await type(page, 'restore-schema-key', 'ITB');
    await page.click('Restore');
    [modal] = find(page.doc(), 'Modal');
    await page.fire(find(modal as never, 'Button').find((b) => text(b) === 'Restore') as never, 'onClick');
    const failed = find(page.doc(), 'SectionMessage').find((m) => m.props.appearance === 'error');
    expect(failed?.props.title).toBe('The restore failed');
    expect(text(failed as never)).toBe('The target refused');
  });
});

describe('the restores grid', () => {
  it('expands a restore: links, YES/NO flags, issue fields, the .xlsx log and Restore objects in issues', async () => {
    const page = await openSchema(
      resolvers({
        restoreLogLink: () =>
          ok({
            url: 'https://vault.example.com/api/v1/forge/restore-logs?token=abc',
            expiresAt: '2026-12-01T10:00:00Z',
          }),
        restoreIssueFields: () => ok({ id: 'r1', issueFields: { status: 'pending' } }),
      }),
    );
    await page.click('Details');
    const details = page.texts();
    expect(details).toContain('History: YES · Icons: NO · Specific types: NO');
    expect(details).toContain('Field update status: Not started');
    expect(find(page.doc(), 'Link').map((l) => l.props.href)).toEqual([
      'https://acme.atlassian.net/jira/servicedesk/assets/object-schema/11',
      'https://acme.atlassian.net/jira/servicedesk/assets/object-schema/90',
    ]);
    await page.click('Download full log (.xlsx)');
    expect(calls(page, 'restoreLogLink')).toEqual([{ restoreId: 'r1' }]);
    expect(page.commands).toEqual([
      {
        command: 'navigate',
        data: { url: 'https://vault.example.com/api/v1/forge/restore-logs?token=abc', type: 'new-tab' },
      },
    ]);
    await page.click('Restore objects in issues');
    expect(calls(page, 'restoreIssueFields')).toEqual([{ restoreId: 'r1' }]);
    expect(page.texts()).toContain('The vault is pointing the issue fields at the restored objects.');
  });
});

describe('the page', () => {
  it('asks the vault once the Restore tab is opened, and "Schedule" leads to Backup configuration', async () => {
    const page = await renderForge(
      <App />,
      resolvers({
        getVaultStatus: () => ok({ configured: true, deliveries: [] }),
        listTrustedUsers: () => ok([]),
        listSchemas: () => ok([]),
        listBackups: () => ok([]),
      }),
    );
    const tabs = () => find(page.doc(), 'Tabs')[0] as never as { props: Record<string, unknown> };
    expect(calls(page, 'listVaultSchemas')).toEqual([]);
    await page.fire(tabs() as never, 'onChange', 2);
    expect(tabs().props.selected).toBe(2);
    expect(calls(page, 'listVaultSchemas')).toEqual([{}]);
    await page.click('Restore');
    await page.click('Schedule');
    expect(tabs().props.selected).toBe(1);
  });
});
