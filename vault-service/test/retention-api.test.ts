/** GET/PUT /api/v1/retention over real HTTP: defaults, storing a policy applies it at once and is audited, validation. */
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { csrfHeaders } from './helpers/login.js';
import { createSiteWithSession } from './helpers/site.js';

describe('retention API', () => {
  let testDb: TestDatabase;
  let vault: TestApp;
  let cookie = '';
  let siteId = '';
  const ids: string[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase();
    vault = await startTestApp({ db: testDb.db, config: testConfig({ VAULT_WORKERS: 'false' }) });
    ({ siteId, cookie } = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-r',
      siteUrl: 'https://r.atlassian.net',
      email: 'admin@r.test',
    }));
    for (const [i, day] of ['01', '02', '03'].entries()) {
      const row = await testDb.db
        .insertInto('backup')
        .values({
          site_id: siteId,
          schema_id: '2',
          schema_name: 'S',
          schema_key: 'S',
          kind: 'manual',
          status: 'completed',
          options: JSON.stringify({ history: false, icons: true, issueRefs: true }),
          started_at: `2026-11-${day}T00:00:00.000Z`,
          completed_at: `2026-11-${day}T00:00:00.000Z`,
          manifest: JSON.stringify({ formatVersion: 1 }),
          object_count: 1,
          content_sha256: 'a'.repeat(64),
          opened_by_webhook_id: `retapi_${i}`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
  });

  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  const put = (body: unknown) =>
    fetch(`${vault.baseUrl}/api/v1/retention`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
      body: JSON.stringify(body),
    });

  it('starts without limits, applies a stored policy at once and reads it back', async () => {
    const first = await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ keepManual: null, keepScheduled: null, maxAgeDays: null });

    const res = await put({ keepManual: 1 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { deleted: string[] };
    expect(body.deleted.sort()).toEqual([ids[0], ids[1]].sort());
    const left = await testDb.db
      .selectFrom('backup')
      .select('id')
      .where('site_id', '=', siteId)
      .where('trashed_at', 'is', null)
      .execute();
    expect(left.map((r) => r.id)).toEqual([ids[2]]);

    const again = await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } });
    expect(await again.json()).toEqual({ keepManual: 1, keepScheduled: null, maxAgeDays: null });
  });

  it('audits each saved policy with the one it replaced, as the session user', async () => {
    expect((await put({ keepScheduled: 4, maxAgeDays: 30 })).status).toBe(200);
    const saved = await testDb.db
      .selectFrom('audit_event')
      .select(['site_id', 'actor', 'action', 'target', 'details'])
      .where('action', '=', 'retention.policy_saved')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    expect(saved).toEqual([
      {
        site_id: siteId,
        actor: 'admin@r.test',
        action: 'retention.policy_saved',
        target: null,
        details: {
          previous: { keepManual: null, keepScheduled: null, maxAgeDays: null },
          policy: { keepManual: 1, keepScheduled: null, maxAgeDays: null },
        },
      },
      {
        site_id: siteId,
        actor: 'admin@r.test',
        action: 'retention.policy_saved',
        target: null,
        details: {
          previous: { keepManual: 1, keepScheduled: null, maxAgeDays: null },
          policy: { keepManual: null, keepScheduled: 4, maxAgeDays: 30 },
        },
      },
    ]);
    // a refused policy is neither stored nor audited
    expect((await put({ keepManual: -1 })).status).toBe(400);
    expect(
      await testDb.db.selectFrom('audit_event').select('id').where('action', '=', 'retention.policy_saved').execute(),
    ).toHaveLength(2);
  });

  it('rejects negative limits, values of the wrong type (never coerced) and requires a session', async () => {
    expect((await put({ keepManual: -1 })).status).toBe(400);
    const before = await (await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } })).json();
    // with type coercion, false would become 0 (keep no manual backups) and 0 days would become "no limit"
    for (const body of [{ keepManual: false }, { keepManual: '2' }, { maxAgeDays: 0 }, { keepScheduled: true }]) {
      const res = await put(body);
      expect(res.status).toBe(400);
    }
    // a misspelt field is refused, not dropped (which would save "no limits" and answer 200)
    const misspelt = await put({ maxAgeDay: 30 });
    expect(misspelt.status).toBe(400);
    expect(JSON.stringify(await misspelt.json())).toContain('maxAgeDay');
    expect(await (await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } })).json()).toEqual(before);
    expect((await fetch(`${vault.baseUrl}/api/v1/retention`)).status).toBe(401);
  });

  it('keeps policies and deletions to the session site', async () => {
    const { siteId: otherSiteId, cookie: otherCookie } = await createSiteWithSession(testDb.db, {
      cloudId: 'cloud-r2',
      siteUrl: 'https://r2.atlassian.net',
      email: 'admin@r2.test',
    });
    const ownPolicy = await (await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } })).json();
    const ownBackups = () =>
      testDb.db.selectFrom('backup').select(['id', 'trashed_at']).where('site_id', '=', siteId).orderBy('id').execute();
    const ownLeft = await ownBackups();
    expect(ownLeft.filter((b) => b.trashed_at === null)).toHaveLength(1);

    // the other site starts without limits, and keeping no manual backup there deletes nothing here
    expect(
      await (await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie: otherCookie } })).json(),
    ).toEqual({ keepManual: null, keepScheduled: null, maxAgeDays: null });
    const res = await fetch(`${vault.baseUrl}/api/v1/retention`, {
      method: 'PUT',
      headers: { cookie: otherCookie, 'content-type': 'application/json', ...csrfHeaders(vault.config.publicUrl) },
      body: JSON.stringify({ keepManual: 0, maxAgeDays: 1 }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { deleted: string[] }).deleted).toEqual([]);
    expect(await ownBackups()).toEqual(ownLeft);
    expect(await (await fetch(`${vault.baseUrl}/api/v1/retention`, { headers: { cookie } })).json()).toEqual(ownPolicy);
    const audits = await testDb.db
      .selectFrom('audit_event')
      .select(['site_id', 'actor'])
      .where('action', '=', 'retention.policy_saved')
      .where('site_id', '=', otherSiteId)
      .execute();
    expect(audits).toEqual([{ site_id: otherSiteId, actor: 'admin@r2.test' }]);
  });

  it('cannot wipe a site: each schema keeps its newest backup, deletions wait in the trash, everyone is told', async () => {
    // two more trusted users: one invited (told), one removed (not told)
    for (const [email, status] of [
      ['colleague@r.test', 'invited'],
      ['former@r.test', 'removed'],
    ] as const) {
      await testDb.db
        .insertInto('trusted_user')
        .values({
          site_id: siteId,
          email,
          status,
          invited_by_account_id: 'x',
          invited_by_name: 'X',
          invited_at: new Date(),
          ...(status === 'removed' ? { removed_at: new Date() } : {}),
        })
        .execute();
    }
    // everything in the trash comes back first, then a second schema
    for (const id of ids.slice(0, 2)) {
      const res = await fetch(`${vault.baseUrl}/api/v1/trash/${id}/restore`, {
        method: 'POST',
        headers: { cookie, ...csrfHeaders(vault.config.publicUrl) },
      });
      expect(res.status).toBe(204);
    }
    await testDb.db.deleteFrom('email_outbox').execute();

    // the attack of issue 14: keep nothing
    const res = await put({ keepManual: 0, keepScheduled: 0 });
    expect(res.status).toBe(200);
    const { deleted } = (await res.json()) as { deleted: string[] };
    expect(deleted.sort()).toEqual([ids[0], ids[1]].sort());
    const listed = (await (
      await fetch(`${vault.baseUrl}/api/v1/schemas/2/backups`, { headers: { cookie } })
    ).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((b) => b.id)).toEqual([ids[2]]);

    // the trash lists them with their purge date, and another site's session sees none of it
    const trash = (await (await fetch(`${vault.baseUrl}/api/v1/trash`, { headers: { cookie } })).json()) as {
      items: { id: string; deletedBy: string; purgeAfter: string; schemaId: string }[];
      trashDays: number;
    };
    expect(trash.trashDays).toBe(7);
    expect(trash.items.map((t) => t.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect(trash.items.every((t) => t.deletedBy === 'system' && t.schemaId === '2')).toBe(true);
    const purgeAt = new Date(trash.items[0]!.purgeAfter).getTime();
    expect(purgeAt - Date.now()).toBeGreaterThan(6.9 * 86_400_000);

    // the policy change and the bulk deletion were e-mailed to every trusted user who was not removed
    const mails = await testDb.db
      .selectFrom('email_outbox')
      .select(['kind', 'to_address', 'subject', 'text_body'])
      .execute();
    const byKind = (kind: string) =>
      mails
        .filter((m) => m.kind === kind)
        .map((m) => m.to_address)
        .sort();
    expect(byKind('retention.policy_saved')).toEqual(['admin@r.test', 'colleague@r.test']);
    expect(byKind('retention.backups_deleted')).toEqual(['admin@r.test', 'colleague@r.test']);
    const notice = mails.find((m) => m.kind === 'retention.backups_deleted')!;
    expect(notice.subject).toBe('2 backups of r.atlassian.net were deleted');
    expect(notice.text_body).toContain('can be restored from Settings > Trash');
    expect(mails.find((m) => m.kind === 'retention.policy_saved')!.text_body).toContain('admin@r.test changed');

    // restoring from the trash brings one back to the grid (audited); a second restore is a 404
    const restore = () =>
      fetch(`${vault.baseUrl}/api/v1/trash/${ids[0]}/restore`, {
        method: 'POST',
        headers: { cookie, ...csrfHeaders(vault.config.publicUrl) },
      });
    expect((await put({ keepManual: null, keepScheduled: null })).status).toBe(200);
    expect((await restore()).status).toBe(204);
    expect((await restore()).status).toBe(404);
    const after = (await (
      await fetch(`${vault.baseUrl}/api/v1/schemas/2/backups`, { headers: { cookie } })
    ).json()) as {
      items: { id: string }[];
    };
    expect(after.items.map((b) => b.id).sort()).toEqual([ids[0], ids[2]].sort());
    const restored = await testDb.db
      .selectFrom('audit_event')
      .select(['actor', 'target'])
      .where('action', '=', 'backup.restored_from_trash')
      .execute();
    expect(restored).toContainEqual({ actor: 'admin@r.test', target: ids[0] });
  });
});
