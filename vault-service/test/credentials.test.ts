/** The encrypted credentials store against real Postgres: round trip, wrong key, rotation, AAD binding, no plaintext at rest. */
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { deleteCredentials, loadCredentials, saveCredentials } from '../src/modules/credentials/service.js';

describe('credentials store', () => {
  let testDb: TestDatabase;
  let siteId = '';
  let otherSiteId = '';
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const secret = { email: 'svc@example.com', apiToken: 'ATATT-very-secret-token-value-123' };

  beforeAll(async () => {
    testDb = await createTestDatabase();
    for (const name of ['a', 'b']) {
      const site = await testDb.db
        .insertInto('site')
        .values({
          cloud_id: `cloud-c${name}`,
          site_url: `https://c${name}.atlassian.net`,
          installation_state: 'connected',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (name === 'a') siteId = site.id;
      else otherSiteId = site.id;
    }
  });

  afterAll(async () => {
    await testDb?.drop();
  });

  it('round-trips and keeps no plaintext in the database', async () => {
    await saveCredentials(testDb.db, [k1], siteId, 'vault-backup', secret);
    expect(await loadCredentials(testDb.db, [k1], siteId, 'vault-backup')).toEqual(secret);
    const row = await testDb.db
      .selectFrom('site_credential')
      .selectAll()
      .where('site_id', '=', siteId)
      .executeTakeFirstOrThrow();
    expect(row.key_id).toBe('k1');
    expect(row.iv.length).toBe(12);
    expect(row.ciphertext.includes(Buffer.from(secret.apiToken))).toBe(false);
    expect(row.ciphertext.toString('utf8')).not.toContain('svc@example.com');
  });

  it('fails with the wrong key and with a row moved to another site or purpose', async () => {
    await expect(
      loadCredentials(testDb.db, [{ id: 'k1', key: randomBytes(32) }], siteId, 'vault-backup'),
    ).rejects.toThrow();
    await expect(loadCredentials(testDb.db, [k2], siteId, 'vault-backup')).rejects.toThrow(/no longer configured/);
    const row = await testDb.db
      .selectFrom('site_credential')
      .selectAll()
      .where('site_id', '=', siteId)
      .executeTakeFirstOrThrow();
    await testDb.db
      .insertInto('site_credential')
      .values({ ...row, site_id: otherSiteId, updated_at: new Date() })
      .execute();
    await expect(loadCredentials(testDb.db, [k1], otherSiteId, 'vault-backup')).rejects.toThrow();
    await testDb.db
      .insertInto('site_credential')
      .values({ ...row, purpose: 'restore-target', updated_at: new Date() })
      .execute();
    await expect(loadCredentials(testDb.db, [k1], siteId, 'restore-target')).rejects.toThrow();
  });

  it('rotation: new writes use the first key, old ciphertext still decrypts', async () => {
    expect(await loadCredentials(testDb.db, [k2, k1], siteId, 'vault-backup')).toEqual(secret);
    await saveCredentials(testDb.db, [k2, k1], siteId, 'vault-backup', { ...secret, apiToken: 'rotated' });
    const row = await testDb.db
      .selectFrom('site_credential')
      .select('key_id')
      .where('site_id', '=', siteId)
      .where('purpose', '=', 'vault-backup')
      .executeTakeFirstOrThrow();
    expect(row.key_id).toBe('k2');
    expect(await loadCredentials(testDb.db, [k2, k1], siteId, 'vault-backup')).toEqual({
      ...secret,
      apiToken: 'rotated',
    });
    expect(await deleteCredentials(testDb.db, siteId, 'vault-backup')).toBe(true);
    expect(await loadCredentials(testDb.db, [k2, k1], siteId, 'vault-backup')).toBeUndefined();
  });
});
