/**
 * The web UI as a person uses it: Debian Chromium (playwright-core, headless) against the real vault on a
 * socket, a real OpenID provider process, a real Postgres and the Assets emulator over HTTP. One journey, in
 * order: sign-in, schemas, a vault-side "Backup now" (after storing credentials), filters by type and date range,
 * selection, browse, search, object detail and a followed reference, export, the schema definitions, comparison
 * with the live schema, deletion with confirmation, settings and target instances, the restore options, restores
 * to a new schema (its details, its .xlsx log read back, objects in issues), into an existing schema and onto a
 * second emulator site, 200 % zoom, sign-out, and the refusal page. Every screen is saved as a PNG
 * (WEB_SCREENSHOTS_DIR, default test-results/screenshots; docs/screenshots holds a committed set).
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import XLSX from 'xlsx';
import type { AssetsClient } from '@assets-vault/shared/assets-client';
import { seedFixture, startEmulator, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import { buildApp, type VaultApp } from '../src/app.js';
import { normaliseSiteUrl } from '../src/modules/sites/site-url.js';
import { testConfig } from './helpers/app.js';
import { launchChromium } from './helpers/browser.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';
import { startTestIdp, type TestIdp } from './helpers/idp.js';
import { freePort } from './helpers/smtp.js';
import { clientForSite, snapshotOfSite, uploadSnapshot } from './helpers/upload.js';
import { waitFor } from './helpers/wait.js';
import { ensureWebBuilt } from '@assets-vault/vault-web/ensure-build';

const SCREENSHOTS = path.resolve(
  process.env.WEB_SCREENSHOTS_DIR ??
    path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots'),
);
const DAY_MS = 86_400_000;

describe('the web UI in a browser', () => {
  let testDb: TestDatabase;
  let emulator: Emulator;
  let site: EmulatorSite;
  let targetSite: EmulatorSite;
  let seeded: SeedResult;
  let client: AssetsClient;
  let idp: TestIdp;
  let app: VaultApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl = '';
  let siteUrl = '';
  const schemas = { main: { id: '', name: '', key: '' }, second: { id: '', name: '', key: '' } };
  const problems: string[] = [];

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const backupsTable = () => page.getByRole('table', { name: /Available backups/ });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });
  /** The schema's backups as the vault lists them, with the signed-in user's session. */
  const backupRows = async (schemaId: string) => {
    const res = await context.request.get(`${baseUrl}/api/v1/schemas/${schemaId}/backups`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as { items: { id: string; n: number; objects: number }[] }).items;
  };

  beforeAll(async () => {
    const webDistDir = ensureWebBuilt();
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    emulator = await startEmulator();
    site = emulator.createSite({ name: 'webui' });
    // a second Jira site, empty, to restore to (a target instance)
    targetSite = emulator.createSite({ name: 'webui-target' });
    seeded = seedFixture(site, { objects: 120, seed: 'webui' });
    client = clientForSite(site);
    for (const [slot, id] of [
      ['main', seeded.schemaId],
      ['second', seeded.secondSchemaId ?? ''],
    ] as const) {
      const schema = await client.getObjectSchema(id);
      schemas[slot] = { id, name: schema.name, key: schema.objectSchemaKey };
    }
    siteUrl = normaliseSiteUrl(site.info.siteUrl, { allowInsecureSiteUrls: true, allowedSiteHosts: ['*'] });

    testDb = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    idp = await startTestIdp({
      flavor: 'both',
      accounts: [
        {
          sub: 'ana',
          email: 'ana@web.test',
          email_verified: true,
          name: 'Ana',
          tid: 't1',
          oid: 'o-ana',
          preferred_username: 'ana@web.test',
        },
        {
          sub: 'eve',
          email: 'eve@web.test',
          email_verified: true,
          name: 'Eve',
          tid: 't1',
          oid: 'o-eve',
          preferred_username: 'eve@web.test',
        },
      ],
      redirectUris: [`${baseUrl}/auth/callback/google`, `${baseUrl}/auth/callback/microsoft`],
    });
    const siteRow = await testDb.db
      .insertInto('site')
      .values({ cloud_id: site.info.cloudId, site_url: siteUrl, installation_state: 'connected' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await testDb.db
      .insertInto('trusted_user')
      .values({
        site_id: siteRow.id,
        email: 'ana@web.test',
        status: 'active',
        invited_by_account_id: 'admin',
        invited_by_name: 'Admin',
        invited_at: new Date(),
        activated_at: new Date(),
      })
      .execute();
    await testDb.db
      .insertInto('synced_schema')
      .values(
        Object.values(schemas).map((s) => ({
          site_id: siteRow.id,
          schema_id: s.id,
          name: s.name,
          key: s.key,
          object_count: 0,
          is_synced: true,
        })),
      )
      .execute();

    app = await buildApp(
      testConfig({
        VAULT_PUBLIC_URL: baseUrl,
        ALLOW_INSECURE_SITE_URLS: 'true',
        ALLOWED_SITE_HOSTS: '*',
        ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
        OIDC_GOOGLE_ISSUER: idp.issuer,
        OIDC_GOOGLE_CLIENT_ID: idp.clientId,
        OIDC_GOOGLE_CLIENT_SECRET: idp.clientSecret,
        OIDC_MICROSOFT_ISSUER: idp.issuer,
        OIDC_MICROSOFT_CLIENT_ID: idp.clientId,
        OIDC_MICROSOFT_CLIENT_SECRET: idp.clientSecret,
      }),
      { db: testDb.db, webDistDir },
    );
    await app.listen({ port, host: '127.0.0.1' });

    // A scheduled backup of the main schema made by the Forge app ten days ago (signed upload, then dated back).
    const snapshot = await snapshotOfSite(
      site,
      schemas.main.id,
      { cloudId: site.info.cloudId, siteUrl },
      // with the type icons' pictures, which the definitions screen shows
      { history: true, icons: true, issueRefs: true },
    );
    const scheduledId = await uploadSnapshot(baseUrl, { cloudId: site.info.cloudId, siteUrl }, snapshot, 'scheduled');
    const tenDaysAgo = new Date(Date.now() - 10 * DAY_MS);
    await testDb.db
      .updateTable('backup')
      .set({ completed_at: tenDaysAgo, started_at: tenDaysAgo })
      .where('id', '=', scheduledId)
      .execute();

    browser = await launchChromium();
    context = await browser.newContext({
      viewport: { width: 1366, height: 800 },
      locale: 'en-GB',
      timezoneId: 'Europe/Berlin',
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    // a CSP violation or an uncaught error anywhere fails the journey at the end
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await idp?.stop();
    await emulator?.close();
    await testDb?.drop();
  });

  it('signs in after an inline error on a non-https site URL', async () => {
    await page.goto(`${baseUrl}/`);
    await heading('Sign in to your backups').waitFor();
    await shot('01-sign-in');
    await page.getByLabel('Jira site URL').fill('http://acme.atlassian.net');
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByText('The site address must start with https://').waitFor();
    expect(await page.getByLabel('Jira site URL').getAttribute('aria-invalid')).toBe('true');
    await shot('02-sign-in-error');
    await page.getByLabel('Jira site URL').fill(siteUrl);
    await page.getByRole('button', { name: 'Continue with Google' }).click();
    await page.getByText('ana@web.test').click();
    await heading('Backed-up schemas').waitFor();
    await page.getByText(`ana@web.test · ${siteUrl}`).waitFor();
  });

  it('lists the synced schemas with their backups', async () => {
    const table = page.getByRole('table', { name: 'Synced schemas' });
    const main = table.getByRole('row', { name: new RegExp(schemas.main.name) });
    await main.waitFor();
    expect(await main.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining([schemas.main.key, '1']));
    const second = table.getByRole('row', { name: new RegExp(schemas.second.name) });
    expect(await second.getByRole('cell').allInnerTexts()).toEqual(expect.arrayContaining(['Never', '0']));
    await shot('03-schemas');
  });

  it('backs a schema up from the vault once credentials are stored', async () => {
    await page.getByRole('button', { name: `Restore ${schemas.second.name}` }).click();
    await heading(`${schemas.second.name} (${schemas.second.key})`).waitFor();
    await page.getByRole('heading', { name: 'No backups yet' }).waitFor();
    await shot('04-schema-empty');
    await page.getByRole('button', { name: 'Backup now' }).last().click();
    await page.getByRole('heading', { name: 'The backup could not be started' }).waitFor();
    await page.getByRole('link', { name: 'Open the settings' }).click();
    await heading('Settings').waitFor();
    // the section's own fields (Target instances below has an account e-mail and token too)
    const credentials = page.locator('#credentials');
    await credentials.getByLabel('E-mail').fill(site.info.email);
    await credentials.getByLabel('API token').fill(site.info.apiToken);
    await credentials.getByLabel('Assets API base URL (optional)').fill(site.info.assetsApiBase);
    await credentials.getByRole('button', { name: 'Save credentials' }).click();
    await credentials.getByText('The credentials were saved').waitFor();
    expect(await credentials.getByLabel('API token').inputValue()).toBe('');
    await page.goBack();
    await heading(`${schemas.second.name} (${schemas.second.key})`).waitFor();
    await page.getByRole('button', { name: 'Backup now' }).first().click();
    await page.getByRole('heading', { name: 'Backup completed' }).waitFor({ timeout: 60_000 });
    await backupsTable().getByRole('row', { name: /^1 / }).waitFor();
    expect(await page.getByRole('button', { name: 'Select backup 1' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('heading', { name: 'Destination' }).waitFor();
    await shot('05-backup-completed');
  });

  it('filters the backups by type and by a date range chosen in the calendar', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schemas' }).click();
    await page.getByRole('button', { name: `Restore ${schemas.main.name}` }).click();
    await heading(`${schemas.main.name} (${schemas.main.key})`).waitFor();
    await page.getByRole('button', { name: 'Backup now' }).first().click();
    await page.getByRole('heading', { name: 'Backup completed' }).waitFor({ timeout: 60_000 });
    const rows = backupsTable().locator('tbody tr');
    await expectRows(backupsTable(), 2);

    await page.getByLabel('Type', { exact: true }).selectOption('scheduled');
    await expectRows(backupsTable(), 1);
    expect(await rows.first().innerText()).toContain('Scheduled');
    await page.getByLabel('Type', { exact: true }).selectOption('manual');
    await expectRows(backupsTable(), 1);
    expect(await rows.first().innerText()).toContain('Manual');
    await page.getByLabel('Type', { exact: true }).selectOption('');
    await expectRows(backupsTable(), 2);

    // from eleven to nine days ago, with the keyboard: only the ten-day-old scheduled backup is in it
    await page.getByRole('button', { name: /^Backup date/ }).click();
    const calendar = page.getByRole('dialog', { name: 'Choose backup date' });
    await calendar.waitFor();
    for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await shot('06-date-range-calendar');
    await calendar.getByRole('button', { name: 'Apply' }).click();
    await expectRows(backupsTable(), 1);
    expect(await rows.first().innerText()).toContain('Scheduled');
    expect(new URL(page.url()).searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await shot('07-backups-filtered');

    // a single day (today) shows only today's manual backup
    await page.getByRole('button', { name: /^Backup date/ }).click();
    await page.getByRole('button', { name: 'Clear' }).last().click();
    await expectRows(backupsTable(), 2);
    await page.getByRole('button', { name: /^Backup date/ }).click();
    await page.getByRole('gridcell', { name: /today/ }).click();
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectRows(backupsTable(), 1);
    expect(await rows.first().innerText()).toContain('Manual');
    await page.getByRole('button', { name: 'Clear backup date' }).click();
    await expectRows(backupsTable(), 2);
  });

  it('selects a backup, browses a type, searches, opens an object and follows a reference', async () => {
    await page.getByRole('button', { name: 'Select backup 1' }).click();
    await page.getByRole('heading', { name: 'Backup 1' }).waitFor();
    await shot('08-backup-selected');
    await page.getByRole('link', { name: 'Browse objects' }).click();
    await heading(`Backup 1 of ${schemas.main.name}`).waitFor();
    const tree = page.getByRole('tree', { name: 'Object types' });
    await tree
      .getByRole('treeitem', { name: /^Laptop/ })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Objects of type Laptop' }).waitFor();
    const objects = page.getByRole('table', { name: 'Objects' });
    await objects.locator('tbody tr').first().waitFor();
    await settled(objects);
    const laptopCount = await objects.locator('tbody tr').count();
    expect(laptopCount).toBeGreaterThan(0);
    expect(await objects.locator('tbody tr td:nth-child(3)').allInnerTexts()).toEqual(
      Array(laptopCount).fill('Laptop'),
    );
    await shot('09-browse-type');

    const firstKey = (await objects.locator('tbody tr th').first().innerText()).trim();
    await page.getByLabel('Search objects').fill(firstKey);
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('table', { name: `Objects matching “${firstKey}”` });
    await settled(results);
    await results.getByRole('link', { name: firstKey, exact: true }).waitFor();
    await shot('10-search');

    // the first laptop with a Location reference: its detail, then the referenced object
    await page.getByLabel('Search objects').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await objects.locator('tbody tr').first().waitFor();
    await settled(objects);
    const keys = await objects.locator('tbody tr th').allInnerTexts();
    let followed = false;
    for (const key of keys.slice(0, 10)) {
      await page.getByRole('link', { name: key.trim(), exact: true }).click();
      await heading(new RegExp(`\\(${key.trim()}\\)$`)).waitFor();
      const attributes = page.getByRole('table', { name: 'Attributes' });
      await attributes.waitFor();
      const location = attributes.getByRole('row', { name: /^Location/ }).getByRole('link');
      if ((await location.count()) > 0) {
        await shot('11-object');
        const target = (await location.first().innerText()).trim();
        await location.first().click();
        await heading(target).waitFor();
        await page.getByRole('table', { name: 'Attributes' }).waitFor();
        await shot('12-referenced-object');
        followed = true;
        break;
      }
      await page.goBack();
    }
    expect(followed).toBe(true);
  });

  it('exports the backup and one type', async () => {
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Backup 1' }).click();
    await heading(`Backup 1 of ${schemas.main.name}`).waitFor();
    const [whole] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export the whole backup' }).getByRole('link', { name: 'CSV' }).click(),
    ]);
    const csv = fs.readFileSync(await whole.path(), 'utf8');
    expect(csv.split('\n')[0]).toContain('Object ID');
    expect(csv.trim().split('\n').length).toBeGreaterThan(100);
    await page
      .getByRole('tree', { name: 'Object types' })
      .getByRole('treeitem', { name: /^Laptop/ })
      .first()
      .click();
    const [typed] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('group', { name: 'Export objects of type Laptop' }).getByRole('link', { name: 'JSON' }).click(),
    ]);
    const json = JSON.parse(fs.readFileSync(await typed.path(), 'utf8')) as unknown;
    const rows = Array.isArray(json) ? json : ((json as { objects?: unknown[] }).objects ?? []);
    expect(rows.length).toBeGreaterThan(0);
  });

  it("shows the schema's definitions: types with icons, every attribute's rules, status and reference types", async () => {
    await page.getByRole('link', { name: 'Schema definitions' }).click();
    await heading(`Definitions of backup 1 of ${schemas.main.name}`).waitFor();
    await page
      .getByRole('tree', { name: 'Object types' })
      .getByRole('treeitem', { name: /^Laptop/ })
      .first()
      .click();
    const card = page.getByRole('region', { name: 'Laptop' });
    await card.waitFor();
    // the icon's picture comes from the backup, through the vault (CSP: images from the vault only)
    const icon = card.locator('img.type-icon');
    await waitFor('the icon', async () =>
      (await page.evaluate<number>("document.querySelector('img.type-icon')?.naturalWidth ?? 0")) > 0
        ? true
        : undefined,
    );
    expect(await icon.getAttribute('src')).toMatch(/^\/api\/v1\/backups\/[^/]+\/icons\/[^/]+$/);
    const cells = async (table: string, attribute: string) =>
      page
        .getByRole('table', { name: table })
        .getByRole('row', { name: new RegExp(`^${attribute}`) })
        .getByRole('cell')
        .allInnerTexts();
    // Type, Cardinality, Unique, Label, Options, Reference
    expect(await cells('Attributes of Laptop', 'Operating system')).toEqual([
      'Default: Select',
      '0–1',
      'No',
      'No',
      'Windows 11, macOS, Ubuntu, Fedora',
      '—',
    ]);
    expect((await cells('Attributes of Laptop', 'Assigned user'))[0]).toBe('User');
    const serial = await cells('Attributes inherited from Hardware', 'Serial Number');
    expect(serial.slice(0, 4)).toEqual(['Default: Text', '1–1', 'Yes', 'No']);
    expect((await cells('Attributes inherited from Hardware', 'Name'))[3]).toBe('Yes');
    // an Owner is an employee of the HR schema (not in this backup); a Location is a type of this schema: linked
    expect((await cells('Attributes inherited from Hardware', 'Owner'))[5]).toBe(
      `Owner → object type ${seeded.objectTypeIds['Employee']} of another schema`,
    );
    await shot('24-definitions');
    await page
      .getByRole('table', { name: 'Attributes inherited from Hardware' })
      .getByRole('row', { name: /^Location/ })
      .getByRole('link', { name: 'Location' })
      .click();
    await page.getByRole('region', { name: 'Location' }).waitFor();
    expect(await cells('Attributes of Location', 'Building code')).toEqual(
      expect.arrayContaining(['Default: Text', 'Yes']),
    );
    const statuses = page.getByRole('table', { name: 'Status types' });
    expect(
      await statuses
        .getByRole('row', { name: /^Active/ })
        .getByRole('cell')
        .first()
        .innerText(),
    ).toBe('Active');
    expect(await page.getByRole('table', { name: 'Reference types' }).locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).getByRole('link', { name: 'Backup 1' }).click();
    await heading(`Backup 1 of ${schemas.main.name}`).waitFor();
  });

  it('compares the backup with the live schema, changed attributes side by side', async () => {
    const laptops = [];
    for await (const o of client.aqlObjects(`objectTypeId = ${seeded.objectTypeIds['Laptop']}`)) laptops.push(o);
    const changed = laptops[0];
    if (!changed) throw new Error('no laptop in the emulator');
    await client.updateObject(String(changed.id), {
      objectTypeId: seeded.objectTypeIds['Laptop'] ?? '',
      attributes: [
        {
          objectTypeAttributeId: seeded.attributeIds['Hardware.Notes'] ?? '',
          objectAttributeValues: [{ value: 'Changed after the backup' }],
        },
      ],
    });
    await page.getByRole('link', { name: 'Compare with live schema' }).click();
    await heading('Compare backup 1 with the live schema').waitFor();
    const changedTable = page.getByRole('table', { name: `Changed attributes of ${changed.objectKey}` });
    await changedTable.waitFor({ timeout: 60_000 });
    const notes = changedTable.getByRole('row', { name: /^Notes/ });
    expect(await notes.locator('td').last().innerText()).toBe('Changed after the backup');
    await shot('13-compare-live');
  });

  it('deletes a backup after confirmation', async () => {
    await page.goto(`${baseUrl}/schemas/${schemas.second.id}`);
    await heading(`${schemas.second.name} (${schemas.second.key})`).waitFor();
    await page.getByRole('button', { name: 'Delete backup 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete backup 1?' });
    await dialog.waitFor();
    await shot('14-delete-confirmation');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expectRows(backupsTable(), 1);
    await page.getByRole('button', { name: 'Delete backup 1' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Backup 1 was moved to the trash.').waitFor();
    await page.getByRole('heading', { name: 'No backups yet' }).waitFor();
  });

  it('shows the settings with the retention policy, the trash and the audit log', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await heading('Settings').waitFor();
    // the backup deleted above waits in the trash and comes back to its schema from there
    const trash = page.getByRole('table', { name: 'Deleted backups' });
    await trash.getByRole('rowheader', { name: `${schemas.second.name} (${schemas.second.key})` }).waitFor();
    await page.getByRole('button', { name: `Restore the backup of ${schemas.second.name} from the trash` }).click();
    await page.getByText(`The backup of ${schemas.second.name} is back in its schema's list.`).waitFor();
    await page.getByText('The trash is empty.').waitFor();
    const audit = page.getByRole('table', { name: 'Audit log' });
    await audit.getByRole('rowheader', { name: 'backup.deleted' }).first().waitFor();
    await audit.getByRole('rowheader', { name: 'credentials.saved' }).waitFor();
    await page.getByLabel('Manual backups to keep per schema').fill('x');
    await page.getByText('Enter a whole number, or leave empty.').waitFor();
    await page.getByLabel('Manual backups to keep per schema').fill('');
    await shot('15-settings');
    await page.goto(`${baseUrl}/schemas/${schemas.second.id}`);
    await expectRows(backupsTable(), 1);
    await page.goto(`${baseUrl}/settings`);
    await heading('Settings').waitFor();
  });

  it('adds a target instance after the vault reached it, and deletes one after confirmation', async () => {
    const section = page.locator('#targets');
    await section.getByRole('button', { name: 'Check and save' }).click();
    await section.getByText('Give the target instance a name.').waitFor();
    await section.getByLabel('Name').fill('Staging');
    await section.getByLabel('Site URL').fill(targetSite.info.siteUrl);
    await section.getByLabel('Account e-mail').fill(targetSite.info.email);
    await section.getByLabel('Account API token').fill('not-the-token');
    await section.getByLabel("Target's Assets API base URL (optional)").fill(targetSite.info.assetsApiBase);
    await section.getByRole('button', { name: 'Check and save' }).click();
    // the vault asked the site and was refused: nothing saved, the vault's message shown
    await section.getByRole('heading', { name: 'The target instance was not saved' }).waitFor();
    expect(await section.getByText('No target instance yet.').count()).toBe(1);
    await section.getByLabel('Account API token').fill(targetSite.info.apiToken);
    await section.getByRole('button', { name: 'Check and save' }).click();
    await section.getByText('The vault reached Staging and saved it as a target instance.').waitFor();
    const targets = page.getByRole('table', { name: 'Target instances' });
    await targets.getByRole('rowheader', { name: 'Staging' }).waitFor();
    expect(await targets.getByRole('row', { name: /Staging/ }).innerText()).toContain(targetSite.info.siteUrl);
    await shot('18-target-instances');

    // a second one to delete: Cancel keeps it, Delete removes it
    await section.getByLabel('Name').fill('Old staging');
    await section.getByLabel('Site URL').fill(targetSite.info.siteUrl);
    await section.getByLabel('Account e-mail').fill(targetSite.info.email);
    await section.getByLabel('Account API token').fill(targetSite.info.apiToken);
    await section.getByLabel("Target's Assets API base URL (optional)").fill(targetSite.info.assetsApiBase);
    await section.getByRole('button', { name: 'Check and save' }).click();
    await targets.getByRole('rowheader', { name: 'Old staging' }).waitFor();
    await page.getByRole('button', { name: 'Delete the target instance Old staging' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the target instance Old staging?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expectRows(targets, 2);
    await page.getByRole('button', { name: 'Delete the target instance Old staging' }).click();
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await section.getByText('The target instance Old staging was deleted.').waitFor();
    await expectRows(targets, 1);
  });

  it('offers the restore options: destinations, inline errors, the live schemas, targets and the type tree', async () => {
    await page.goto(`${baseUrl}/schemas/${schemas.main.id}`);
    await page.getByRole('button', { name: 'Select backup 1' }).click();
    const pane = page.getByRole('region', { name: 'Destination' });
    const form = pane.getByRole('form', { name: 'Restore options' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Restore' }).click();
    await form.getByText('The schema name must be 1–255 characters').waitFor();
    expect(await page.evaluate<string>('document.activeElement?.id ?? ""')).toBe(
      await form.getByLabel('New schema name').getAttribute('id'),
    );
    await form.getByLabel('New schema name').fill('Restored IT');
    expect(await form.getByLabel('New schema key').inputValue()).toBe('RESTOREDIT');
    await form.getByLabel('New schema key').fill('r-1');
    await form.getByRole('button', { name: 'Restore' }).click();
    await form.getByText('The schema key must be 2–10 upper-case letters and digits').waitFor();

    // an existing schema of this site, read live with the stored credentials
    await form.getByLabel('Existing schema', { exact: false }).first().check();
    const existing = form.getByLabel('Existing schema', { exact: true });
    await waitFor('the live schemas', async () => ((await existing.locator('option').count()) > 2 ? true : undefined));
    expect((await existing.locator('option').allInnerTexts()).join('\n')).toContain(schemas.second.name);
    await form.getByText('Off: an object of the backup that already exists in the schema').waitFor();

    // another instance: the saved target by name and URL, or a new one
    await form.getByLabel('Another instance', { exact: false }).check();
    const target = form.getByLabel('Target instance');
    expect(await target.locator('option').allInnerTexts()).toEqual(
      expect.arrayContaining([`Staging — ${targetSite.info.siteUrl}`, 'New target instance…']),
    );
    await target.selectOption({ label: 'New target instance…' });
    await form.getByLabel('Jira site URL').fill('http://acme.atlassian.net');
    await form.getByRole('button', { name: 'Restore' }).click();
    await form.getByText('The site address must start with https://').first().waitFor();

    // specific object types: a child ticks its parents
    await form.getByLabel('Current instance', { exact: false }).check();
    await form.getByLabel('Restore specific object types').check();
    const tree = form.getByRole('tree', { name: 'Object types to restore' });
    await tree
      .getByRole('treeitem', { name: /^Laptop/ })
      .first()
      .locator('.tree__row')
      .first()
      .click();
    for (const name of [/^Hardware/, /^Laptop/])
      expect(await tree.getByRole('treeitem', { name }).first().getAttribute('aria-checked')).toBe('true');
    await shot('19-restore-options');
  });

  it('restores to a new schema with history, icons and specific types, follows it live, and shows its details and log', async () => {
    const form = page.getByRole('form', { name: 'Restore options' });
    await form.getByLabel('New schema key').fill('RESTIT');
    await form.getByRole('button', { name: 'Restore' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore backup 1?' });
    await dialog.getByRole('button', { name: 'Restore' }).click();
    const pane = page.getByRole('region', { name: 'Destination' });
    await pane.getByRole('heading', { name: 'Operation success' }).waitFor({ timeout: 120_000 });
    await shot('20-restore-completed');
    const restores = page.getByRole('table', { name: `Restores of ${schemas.main.name}` });
    await restores.getByRole('row', { name: /Restored IT \(RESTIT\)/ }).waitFor();
    await restores.getByRole('button', { name: /^Show details of the restore to Restored IT/ }).click();
    await restores.getByText('Specific object types').waitFor();
    const [log] = await Promise.all([
      page.waitForEvent('download'),
      restores.getByRole('link', { name: /^Download full log \(\.xlsx\)/ }).click(),
    ]);
    // the log read back by a second reader: one row per object of the backup, the chosen types created
    const book = XLSX.read(fs.readFileSync(await log.path()), { type: 'buffer' });
    expect(book.SheetNames).toEqual(['Summary', 'Objects']);
    const summary = new Map(
      XLSX.utils.sheet_to_json<unknown[]>(book.Sheets.Summary!, { header: 1 }).map((r) => [r[0], r[1]]),
    );
    expect(summary.get('Result')).toBe('Operation success');
    const [header, ...logRows] = XLSX.utils.sheet_to_json<string[]>(book.Sheets.Objects!, { header: 1, defval: '' });
    expect(header?.slice(0, 6)).toEqual(['Old id', 'Old key', 'New id', 'New key', 'Type', 'Action']);
    const backupObjects = (await backupRows(schemas.main.id)).find((b) => b.n === 1)?.objects;
    expect(logRows).toHaveLength(backupObjects ?? -1);
    expect(new Set(logRows.map((r) => r[0])).size).toBe(logRows.length);
    const created = logRows.filter((r) => r[5] === 'created');
    expect(created.length).toBe(summary.get('Created'));
    // the chosen Laptop and the Location its objects reference
    expect(new Set(created.map((r) => r[4]))).toEqual(new Set(['Laptop', 'Location']));
    expect(new Set(logRows.map((r) => r[5]))).toEqual(new Set(['created', 'excluded']));
    await shot('21-restore-details');

    // "Restore objects in issues": the issue fields that held the backup's laptops now point at the new ones
    await restores.getByRole('button', { name: /^Restore objects in issues/ }).click();
    const detail = (term: string) =>
      restores.locator(`xpath=.//dl/dt[normalize-space()="${term}"]/following-sibling::dd[1]`).innerText();
    await waitFor(
      'the issue fields step',
      async () => ((await detail('Field update status')).startsWith('Completed') ? true : undefined),
      60_000,
    );
    expect(Number(await detail('Updated fields'))).toBeGreaterThan(0);
    expect(await detail('Field update date')).not.toBe('—');
  });

  it('restores into an existing schema of this site without duplicates: what is there already is skipped', async () => {
    const before = await objectCount(client, schemas.main.id);
    const pane = page.getByRole('region', { name: 'Destination' });
    await pane.getByRole('button', { name: 'New restore' }).click();
    const form = pane.getByRole('form', { name: 'Restore options' });
    await form.getByLabel('Existing schema', { exact: false }).first().check();
    const existing = form.getByLabel('Existing schema', { exact: true });
    const option = existing.locator('option', { hasText: `${schemas.main.name} (${schemas.main.key}) · ` });
    await option.waitFor({ state: 'attached' });
    await existing.selectOption((await option.getAttribute('value')) ?? '');
    expect(await form.getByLabel('Duplicate objects').isChecked()).toBe(false);
    await form.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('dialog', { name: 'Restore backup 1?' }).getByRole('button', { name: 'Restore' }).click();
    const success = pane.getByRole('heading', { name: 'Operation success' });
    await success.waitFor({ timeout: 120_000 });
    // every object of backup 1 is still in the schema (one laptop changed since): all skipped, none created
    const backupObjects = (await backupRows(schemas.main.id)).find((b) => b.n === 1)?.objects ?? -1;
    expect(await pane.locator('p', { hasText: /objects created/ }).innerText()).toBe(
      `0 objects created, ${backupObjects.toLocaleString('en-GB')} skipped.`,
    );
    expect(await objectCount(client, schemas.main.id)).toBe(before);
    await shot('22-restore-existing-schema');
  });

  it('restores onto a second site through a saved target instance', async () => {
    const pane = page.getByRole('region', { name: 'Destination' });
    await pane.getByRole('button', { name: 'New restore' }).click();
    const form = pane.getByRole('form', { name: 'Restore options' });
    await form.getByLabel('Another instance', { exact: false }).check();
    await form.getByLabel('Target instance').selectOption({ label: `Staging — ${targetSite.info.siteUrl}` });
    await form.getByLabel('New schema name').fill('Staging locations');
    expect(await form.getByLabel('New schema key').inputValue()).toBe('STAGINGLOC');
    await form.getByLabel('Restore specific object types').check();
    await form
      .getByRole('tree', { name: 'Object types to restore' })
      .getByRole('treeitem', { name: /^Location/ })
      .locator('.tree__row')
      .first()
      .click();
    await form.getByRole('heading', { name: /^The restore creates up to/ }).waitFor();
    await form.getByRole('button', { name: 'Restore' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore backup 1?' });
    await dialog.getByText(/on Staging\.$/).waitFor();
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await pane.getByRole('heading', { name: 'Operation success' }).waitFor({ timeout: 120_000 });
    await shot('23-restore-another-instance');

    // the locations landed on the second site, in the new schema, and nowhere on the first
    const target = clientForSite(targetSite);
    const restored = (await schemaKeys(target)).get('STAGINGLOC');
    if (!restored) throw new Error('no STAGINGLOC schema on the target site');
    const sourceLocations = await labels(client, `objectTypeId = ${seeded.objectTypeIds['Location']}`);
    expect(sourceLocations.length).toBeGreaterThan(0);
    expect(await labels(target, `objectSchemaId = ${restored}`)).toEqual(sourceLocations);
    expect((await schemaKeys(client)).has('STAGINGLOC')).toBe(false);
    const restores = page.getByRole('table', { name: `Restores of ${schemas.main.name}` });
    await restores
      .getByRole('row', {
        name: new RegExp(`Staging locations \\(STAGINGLOC\\) on Staging, ${targetSite.info.siteUrl}`),
      })
      .waitFor();
  });

  it('stays usable at 200 % zoom (no sideways scrolling)', async () => {
    await page.setViewportSize({ width: 683, height: 400 });
    await page.goto(`${baseUrl}/schemas/${schemas.main.id}?backup=`);
    await backupsTable().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('16-schema-at-200-percent');
    await page.setViewportSize({ width: 1366, height: 800 });
  });

  it('signs out: the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to your backups').waitFor();
    expect((await context.request.get(`${baseUrl}/api/v1/me`)).status()).toBe(401);
    expect(problems).toEqual([]);
  });

  it('refuses an untrusted e-mail with the one generic page and no session', async () => {
    const other = await browser.newContext();
    const eve = await other.newPage();
    await eve.goto(`${baseUrl}/`);
    await eve.getByLabel('Jira site URL').fill(siteUrl);
    await eve.getByRole('button', { name: 'Continue with Microsoft' }).click();
    await eve.getByText('eve@web.test').click();
    await eve.getByRole('heading', { name: 'Not authorised' }).waitFor();
    await eve.screenshot({ path: path.join(SCREENSHOTS, '17-not-authorised.png') });
    expect((await other.request.get(`${baseUrl}/api/v1/me`)).status()).toBe(401);
    await other.close();
  });
});

/** The schemas of a site by key (their ids). */
async function schemaKeys(c: AssetsClient): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const s of c.listObjectSchemas()) out.set(s.objectSchemaKey, String(s.id));
  return out;
}

/** The labels of the objects an AQL query finds, sorted. */
async function labels(c: AssetsClient, aql: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of c.aqlObjects(aql, { includeAttributes: false })) out.push(o.label);
  return out.sort();
}

async function objectCount(c: AssetsClient, schemaId: string): Promise<number> {
  return (await labels(c, `objectSchemaId = ${schemaId}`)).length;
}

/**
 * Waits until the table shows `count` rows of the latest answer: while a new filter's or page's request runs the
 * table still shows the earlier rows, marked `aria-busy`, and those must not count.
 */
async function expectRows(table: Locator, count: number): Promise<void> {
  await waitFor(`${count} rows`, async () =>
    (await table.getAttribute('aria-busy')) !== 'true' && (await table.locator('tbody tr').count()) === count
      ? true
      : undefined,
  );
}

/** Waits until the table shows the answer to its latest request (not earlier rows marked `aria-busy`). */
async function settled(table: Locator): Promise<void> {
  await waitFor('the answer', async () => ((await table.getAttribute('aria-busy')) !== 'true' ? true : undefined));
}
