/**
 * The restore form's validation: the Assets rules for a new schema's name and key (the engine's own
 * `schemaInputProblems`), what each destination needs, a new target's fields, the specific-types choice, and the
 * request the vault gets. Then the rendered form: inline errors and focus instead of a request, the key suggested
 * from the name, the type tree ticking parents, the preview of what the restore brings in, and the confirmation
 * before the one POST. The vault is a stand-in `fetch` that answers like the pinned API and records what it got.
 */
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BackupRow } from '../src/api/vault.js';
import { RestorePane } from '../src/components/RestorePane.js';
import {
  emptyRestoreForm,
  NEW_TARGET,
  restoreFormProblems,
  restoreRequest,
  suggestSchemaKey,
  type RestoreFormValues,
} from '../src/lib/restore-form.js';
import { RouterProvider } from '../src/lib/router.js';

afterEach(cleanup);

const form = (patch: Partial<RestoreFormValues>): RestoreFormValues => ({ ...emptyRestoreForm(), ...patch });

describe('restore form rules', () => {
  it('checks a new schema on this site by the Assets name and key rules', () => {
    expect(restoreFormProblems(form({ schemaName: 'Restored CMDB', schemaKey: 'RCMDB' }), false)).toEqual({});
    for (const key of ['', 'A', 'ab', '1AB', 'A-B', 'ABCDEFGHIJK', 'AB C'])
      expect(restoreFormProblems(form({ schemaName: 'Restored', schemaKey: key }), false).schemaKey).toMatch(
        /2–10 upper-case letters and digits, starting with a letter/,
      );
    for (const key of ['AB', 'A1', 'ABCDEFGHIJ'])
      expect(restoreFormProblems(form({ schemaName: 'Restored', schemaKey: key }), false)).toEqual({});
    expect(restoreFormProblems(form({ schemaName: '   ', schemaKey: 'AB' }), false).schemaName).toMatch(/1–255/);
    expect(restoreFormProblems(form({ schemaName: 'x'.repeat(256), schemaKey: 'AB' }), false).schemaName).toMatch(
      /1–255/,
    );
  });

  it('suggests a key from the name', () => {
    expect(suggestSchemaKey('Restored CMDB')).toBe('RESTOREDCM');
    expect(suggestSchemaKey('2026 Hardware')).toBe('HARDWARE');
    expect(suggestSchemaKey('Zürich IT')).toBe('ZURICHIT');
  });

  it('needs a schema for an existing-schema restore, and a target for another instance', () => {
    expect(restoreFormProblems(form({ kind: 'existing-schema' }), false)).toEqual({
      existingSchemaId: 'Choose the schema to restore into.',
    });
    expect(restoreFormProblems(form({ kind: 'existing-schema', existingSchemaId: '7' }), false)).toEqual({});
    expect(
      restoreFormProblems(form({ kind: 'another-instance', schemaName: 'Copy', schemaKey: 'COPY' }), false),
    ).toEqual({ targetInstanceId: 'Choose a target instance or enter a new one.' });
    expect(
      restoreFormProblems(
        form({ kind: 'another-instance', schemaName: 'Copy', schemaKey: 'COPY', targetInstanceId: 't1' }),
        false,
      ),
    ).toEqual({});
  });

  it('checks a new target instance: name, https site URL (local http only when allowed), e-mail, token', () => {
    const another = form({
      kind: 'another-instance',
      schemaName: 'Copy',
      schemaKey: 'COPY',
      targetInstanceId: NEW_TARGET,
    });
    expect(Object.keys(restoreFormProblems(another, false)).sort()).toEqual([
      'newTargetApiToken',
      'newTargetEmail',
      'newTargetName',
      'newTargetUrl',
    ]);
    const filled = {
      ...another,
      newTarget: {
        name: 'Staging',
        url: 'http://127.0.0.1:4000/sites/staging',
        email: 'admin@example.com',
        apiToken: 't0ken',
        assetsApiBaseUrl: 'not a url',
        save: true,
      },
    };
    expect(restoreFormProblems(filled, false)).toEqual({
      newTargetUrl: expect.stringMatching(/must start with https:\/\//) as string,
      newTargetAssetsApiBaseUrl: 'Enter a URL starting with https://, or leave it empty.',
    });
    expect(restoreFormProblems({ ...filled, newTarget: { ...filled.newTarget, assetsApiBaseUrl: '' } }, true)).toEqual(
      {},
    );
  });

  it('needs at least one type when restoring specific object types', () => {
    const v = form({ schemaName: 'Part', schemaKey: 'PART', specificTypes: true });
    expect(restoreFormProblems(v, false)).toEqual({ objectTypeIds: 'Choose at least one object type.' });
    expect(restoreFormProblems({ ...v, objectTypeIds: new Set(['3']) }, false)).toEqual({});
  });

  it('builds the vault request of each destination', () => {
    expect(
      restoreRequest(
        'b1',
        form({ schemaName: ' Part ', schemaKey: 'PART', specificTypes: true, objectTypeIds: new Set(['2', '3']) }),
      ),
    ).toEqual({
      backupId: 'b1',
      destination: { kind: 'current-instance', schemaName: 'Part', schemaKey: 'PART' },
      options: { objectIcons: true, history: true, objectTypeIds: ['2', '3'] },
    });
    expect(
      restoreRequest(
        'b1',
        form({
          kind: 'existing-schema',
          existingTarget: 't1',
          existingSchemaId: '9',
          createDuplicates: true,
          history: false,
        }),
      ),
    ).toEqual({
      backupId: 'b1',
      destination: { kind: 'existing-schema', schemaId: '9', createDuplicates: true, targetInstanceId: 't1' },
      options: { objectIcons: true, history: false },
    });
    expect(
      restoreRequest(
        'b1',
        form({
          kind: 'another-instance',
          schemaName: 'Copy',
          schemaKey: 'COPY',
          targetInstanceId: NEW_TARGET,
          objectIcons: false,
          newTarget: {
            name: ' Staging ',
            url: 'https://staging.atlassian.net',
            email: 'a@b.co',
            apiToken: 'tok',
            assetsApiBaseUrl: '',
            save: false,
          },
        }),
      ),
    ).toEqual({
      backupId: 'b1',
      destination: {
        kind: 'another-instance',
        newTarget: {
          name: 'Staging',
          url: 'https://staging.atlassian.net',
          email: 'a@b.co',
          apiToken: 'tok',
          save: false,
        },
        schemaName: 'Copy',
        schemaKey: 'COPY',
      },
      options: { objectIcons: false, history: true },
    });
  });
});

const BACKUP: BackupRow = {
  id: 'b1',
  n: 3,
  backupDate: '2026-12-01T10:00:00.000Z',
  objects: 120,
  type: 'manual',
  historyStatus: 'included',
  objectsInIssuesStatus: 'included',
  browse: 'ready',
  search: 'indexed',
  warnings: [],
};

const TYPES = [
  { id: '1', name: 'Location', objectCount: 6, children: [] },
  {
    id: '2',
    name: 'Hardware',
    objectCount: 0,
    children: [
      { id: '3', name: 'Laptop', objectCount: 60, children: [] },
      { id: '4', name: 'Server', objectCount: 18, children: [] },
    ],
  },
];

interface Request {
  method: string;
  path: string;
  body: unknown;
}

/** The vault as the pinned API answers; every request is recorded. */
function stubVault(): Request[] {
  const requests: Request[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (input: string, init: RequestInit = {}) => {
    const path = new URL(input, 'http://vault.test').pathname;
    const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    requests.push({ method: init.method ?? 'GET', path, body });
    if (path === '/auth/options') return json(200, { providers: ['google'], allowInsecureSiteUrls: false });
    if (path === '/api/v1/target-instances') return json(200, { items: [] });
    if (path === '/api/v1/backups/b1/object-types') return json(200, { items: TYPES });
    if (path === '/api/v1/restores/preview')
      return json(200, {
        objectTypes: [
          { id: '2', name: 'Hardware', role: 'parent' },
          { id: '3', name: 'Laptop', role: 'selected' },
          { id: '1', name: 'Location', role: 'referenced' },
        ],
        objectCount: 66,
        warnings: [],
      });
    if (path === '/api/v1/restores' && init.method === 'POST') {
      const key = (body as { destination: { schemaKey?: string } }).destination.schemaKey;
      if (key === 'ITAM')
        return json(409, {
          statusCode: 409,
          error: 'schema_key_taken',
          message: 'The site already has a schema with the key ITAM',
        });
      return json(202, { id: 'r1', status: 'pending' });
    }
    return json(404, { statusCode: 404, error: 'not_found', message: `no ${path}` });
  });
  return requests;
}

describe('the restore form', () => {
  let requests: Request[];
  beforeEach(() => {
    requests = stubVault();
  });
  afterEach(() => vi.unstubAllGlobals());

  const renderForm = (onStarted = vi.fn()) => {
    render(
      <RouterProvider>
        <RestorePane
          backup={BACKUP}
          schemaName="IT Assets"
          restoreId={undefined}
          onStarted={onStarted}
          onClose={vi.fn()}
          onEnded={vi.fn()}
        />
      </RouterProvider>,
    );
    return onStarted;
  };

  it('shows inline errors and focuses the first field instead of sending an invalid restore', async () => {
    const user = userEvent.setup();
    renderForm();
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    const name = screen.getByLabelText('New schema name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(name);
    expect(screen.getByText(/The schema name must be 1–255 characters/)).toBeTruthy();
    expect(screen.getByText(/The schema key must be 2–10 upper-case letters/)).toBeTruthy();

    await user.type(name, 'Restored IT');
    // the key follows the name until it is edited
    expect((screen.getByLabelText('New schema key') as HTMLInputElement).value).toBe('RESTOREDIT');
    await user.clear(screen.getByLabelText('New schema key'));
    await user.type(screen.getByLabelText('New schema key'), '9x');
    expect((screen.getByLabelText('New schema key') as HTMLInputElement).value).toBe('9X');
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    expect(document.activeElement).toBe(screen.getByLabelText('New schema key'));
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it('ticks the parents a type needs, previews what comes along, confirms, then sends one restore', async () => {
    const user = userEvent.setup();
    const onStarted = renderForm();
    await user.type(screen.getByLabelText('New schema name'), 'Laptops only');
    await user.clear(screen.getByLabelText('New schema key'));
    await user.type(screen.getByLabelText('New schema key'), 'LAPTOPS');
    await user.click(screen.getByLabelText('Restore object icons'));
    await user.click(screen.getByLabelText('Restore specific object types'));
    const tree = await screen.findByRole('tree', { name: 'Object types to restore' });
    await user.click(within(tree).getByText('Laptop'));
    const checked = within(tree)
      .getAllByRole('treeitem')
      .filter((item) => item.getAttribute('aria-checked') === 'true')
      .map((item) => item.getAttribute('data-type-id'));
    expect(checked.sort()).toEqual(['2', '3']);

    const brought = await screen.findByRole('list', { name: 'Types the restore brings in' });
    expect(
      within(brought)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['Hardware (parent of a chosen type)', 'Location (referenced by a chosen type)']);
    expect(screen.getByText('The restore creates up to 66 objects')).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Restore' }));
    const dialog = await screen.findByRole('dialog');
    expect(dialog.textContent).toContain('a new schema Laptops only (LAPTOPS) on this site');
    expect(requests.filter((r) => r.path === '/api/v1/restores')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith('r1'));
    expect(requests.filter((r) => r.path === '/api/v1/restores')).toEqual([
      {
        method: 'POST',
        path: '/api/v1/restores',
        body: {
          backupId: 'b1',
          destination: { kind: 'current-instance', schemaName: 'Laptops only', schemaKey: 'LAPTOPS' },
          options: { objectIcons: false, history: true, objectTypeIds: ['2', '3'] },
        },
      },
    ]);
  });

  it('asks for at least one type when restoring specific object types, and focuses the type list', async () => {
    const user = userEvent.setup();
    renderForm();
    await user.type(screen.getByLabelText('New schema name'), 'Some types');
    await user.click(screen.getByLabelText('Restore specific object types'));
    await screen.findByRole('tree', { name: 'Object types to restore' });
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    expect(screen.getByText('Choose at least one object type.')).toBeTruthy();
    expect(document.activeElement?.id).toBe('restore-types');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(requests.filter((r) => r.method === 'POST')).toEqual([]);
  });

  it("shows the vault's refusal (a key taken on the site) and keeps what was typed", async () => {
    const user = userEvent.setup();
    const onStarted = renderForm();
    await user.type(screen.getByLabelText('New schema name'), 'IT Assets Management');
    await user.clear(screen.getByLabelText('New schema key'));
    await user.type(screen.getByLabelText('New schema key'), 'ITAM');
    await user.click(screen.getByRole('button', { name: 'Restore' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Restore' }));
    const refusal = await screen.findByRole('alert');
    expect(within(refusal).getByRole('heading').textContent).toBe('The restore was not started');
    expect(refusal.textContent).toContain('The site already has a schema with the key ITAM');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect((screen.getByLabelText('New schema name') as HTMLInputElement).value).toBe('IT Assets Management');
    expect(onStarted).not.toHaveBeenCalled();
    expect(requests.filter((r) => r.path === '/api/v1/restores')).toHaveLength(1);
  });
});
