/**
 * `node --conditions=@assets-vault/source --import tsx dev/store-credentials.ts --site-url URL --email E
 *  --api-token T [--assets-api-base-url U]`: stores a site's Assets API credentials as Settings › Stored
 * credentials does (encrypted with ENCRYPTION_KEYS, audited, the token never printed), for the demo, which has no
 * browser session to use the API with. Reads the vault's own configuration (DATABASE_URL, or the embedded
 * PostgreSQL of a running vault in VAULT_DATA_DIR). Development only.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createKysely } from '../src/db/index.js';
import { saveSiteAssetsCredentials } from '../src/modules/credentials/service.js';
import { findSiteByUrl } from '../src/modules/sites/repository.js';

const { values } = parseArgs({
  options: {
    'site-url': { type: 'string' },
    email: { type: 'string' },
    'api-token': { type: 'string' },
    'assets-api-base-url': { type: 'string' },
  },
});
const siteUrl = values['site-url'];
const email = values.email;
const apiToken = values['api-token'];
if (!siteUrl || !email || !apiToken) throw new Error('--site-url, --email and --api-token are required');

const config = loadConfig(process.env);
// the running vault owns the embedded server; this only connects to it
const url = config.databaseUrl ?? `postgres://postgres:postgres@127.0.0.1:${config.embeddedPgPort}/vault`;
const db = createKysely(url);
try {
  const site = await findSiteByUrl(db, siteUrl);
  if (!site) throw new Error(`no site ${siteUrl} in the vault yet (the Forge app registers it on install)`);
  await saveSiteAssetsCredentials({ db, config }, site.id, 'demo', {
    email,
    apiToken,
    ...(values['assets-api-base-url'] ? { assetsApiBaseUrl: values['assets-api-base-url'] } : {}),
    vaultBackupsEnabled: true,
  });
  console.log(`stored the Assets API credentials of ${siteUrl} (${email})`);
} finally {
  await db.destroy();
}
