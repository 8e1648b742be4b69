/**
 * `pnpm start`: the whole product on one machine, nothing from Atlassian, Google or Microsoft needed.
 *
 *   1. a mail sink with a web inbox (maildev)            http://127.0.0.1:1080
 *   2. the Assets Cloud emulator with a seeded site       http://127.0.0.1:4000
 *   3. a local OpenID provider registered as both "Google" and "Microsoft", with demo accounts
 *   4. the vault on an embedded PostgreSQL (DATABASE_URL unset → data in .vault-data/), serving the web UI
 *      (built first when vault-web/dist is missing or older than its sources)
 *   5. the Forge app's real resolvers and jobs (local harness) invite the demo user and back up a schema
 *
 * Every port can be moved with an environment variable (DEMO_*_PORT). Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt, isBuildCurrent } from '@assets-vault/vault-web/ensure-build';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The demo runs every part from TypeScript, workspace packages from their sources (ADR 0010). */
const RUN_TYPESCRIPT = ['--conditions=@assets-vault/source', '--import', 'tsx'];
const host = '127.0.0.1';
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ports = {
  vault: port('DEMO_VAULT_PORT', 8080),
  emulator: port('DEMO_EMULATOR_PORT', 4000),
  idp: port('DEMO_IDP_PORT', 4010),
  smtp: port('DEMO_SMTP_PORT', 1025),
  inbox: port('DEMO_INBOX_PORT', 1080),
};
const vaultUrl = `http://${host}:${ports.vault}`;
const dataDir = path.resolve(process.env.VAULT_DATA_DIR ?? path.join(root, '.vault-data'));
const demoObjects = Number(process.env.DEMO_OBJECTS ?? 2000);

const DEMO_ACCOUNTS = [
  {
    email: 'ana@example.com',
    name: 'Ana Admin',
    email_verified: true,
    tid: 'demo-tenant',
    oid: 'ana',
    preferred_username: 'ana@example.com',
  },
  {
    email: 'ben@example.com',
    name: 'Ben Builder',
    email_verified: true,
    tid: 'demo-tenant',
    oid: 'ben',
    preferred_username: 'ben@example.com',
  },
  {
    email: 'eve@example.com',
    name: 'Eve Outsider (not trusted)',
    email_verified: true,
    tid: 'other-tenant',
    oid: 'eve',
    preferred_username: 'eve@example.com',
  },
];
const TRUSTED = ['ana@example.com', 'ben@example.com'];

const children: ChildProcess[] = [];
const logFile = (name: string) => path.join(dataDir, 'logs', `${name}.log`);

function log(message: string): void {
  console.log(`[demo] ${message}`);
}

/** Starts a child process; resolves with the first stdout line matching `ready` (or undefined when not awaited). */
function start(
  name: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; ready?: RegExp; quiet?: boolean } = {},
): Promise<string | undefined> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output = fs.createWriteStream(logFile(name), { flags: 'a' });
  child.stderr?.pipe(output);
  return new Promise((resolve, reject) => {
    let settled = false;
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output.write(`${line}\n`);
      if (!settled && options.ready?.test(line)) {
        settled = true;
        resolve(line);
      }
    });
    if (!options.ready) {
      settled = true;
      resolve(undefined);
    }
    child.on('exit', (code, signal) => {
      if (!settled) {
        settled = true;
        reject(new Error(`${name} exited (${signal ?? code}) before it was ready; see ${logFile(name)}`));
      } else if (!shuttingDown) {
        log(`${name} stopped (${signal ?? code}); see ${logFile(name)}`);
      }
    });
  });
}

async function waitFor(
  url: string,
  timeoutMs: number,
  accept: (status: number) => boolean = (s) => s === 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { headers: { accept: 'text/html,application/json' } });
      if (accept(res.status)) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs / 1000}s (${last})`);
}

/** Secrets are made once and kept with the demo's data, so sessions and stored credentials survive restarts. */
function demoSecrets(): { webhookSecret: string; encryptionKey: string; sessionSecret: string } {
  const file = path.join(dataDir, 'demo-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  const secrets = {
    webhookSecret: `whsec_${randomBytes(32).toString('base64')}`,
    encryptionKey: `demo1:${randomBytes(32).toString('base64')}`,
    sessionSecret: randomBytes(32).toString('base64url'),
  };
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Runs a TypeScript file of the repository (from `cwd`) and returns its exit code and stdout; stderr goes to the logs. */
function runTypeScript(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  { cwd = root, logName = 'setup' }: { cwd?: string; logName?: string } = {},
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...RUN_TYPESCRIPT, file, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.pipe(fs.createWriteStream(logFile(logName), { flags: 'a' }));
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

/** Runs one command of the Forge app's local harness (real resolvers and jobs). */
const forgeLocal = (args: string[], env: NodeJS.ProcessEnv) =>
  runTypeScript('local/cli.ts', args, env, { cwd: path.join(root, 'forge-app'), logName: 'forge-local' });

let shuttingDown = false;
function stopAll(): void {
  if (shuttingDown) return;
  shuttingDown = true;
  log('stopping…');
  for (const child of children.reverse()) child.kill('SIGTERM');
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);

/**
 * As root the embedded PostgreSQL runs as the OS user "postgres", which must pass through the demo's data directory
 * (`VAULT_DATA_DIR=$(mktemp -d)` makes it 0700): allow it that, and nothing more.
 */
function letPostgresThrough(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const mode = fs.statSync(dir).mode & 0o777;
  if ((mode & 0o001) !== 0) return;
  fs.chmodSync(dir, mode | 0o001);
  log(`${dir}: o+x added (PostgreSQL runs as the OS user "postgres" when the demo runs as root)`);
}

async function main(): Promise<void> {
  fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  letPostgresThrough(dataDir);
  const secrets = demoSecrets();

  log('starting the mail sink, the Assets emulator and the OpenID provider…');
  const maildev = path.join(root, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');
  const inboxReady = start('maildev', [
    maildev,
    '--smtp',
    String(ports.smtp),
    '--web',
    String(ports.inbox),
    '--ip',
    host,
    '--web-ip',
    host,
  ]);
  const emulatorLine = start(
    'emulator',
    [
      ...RUN_TYPESCRIPT,
      'emulator/src/cli.ts',
      '--host',
      host,
      '--port',
      String(ports.emulator),
      '--seed',
      'demo',
      '--objects',
      String(demoObjects),
      '--target-site',
      'staging',
      '--json',
    ],
    { ready: /^\{.*"siteUrl"/ },
  );
  const redirectUris = ['google', 'microsoft'].flatMap((p) => ['--redirect-uri', `${vaultUrl}/auth/callback/${p}`]);
  const idpLine = start(
    'idp',
    [
      ...RUN_TYPESCRIPT,
      'vault-service/dev/idp-cli.ts',
      '--host',
      host,
      '--port',
      String(ports.idp),
      '--flavor',
      'both',
      '--accounts',
      JSON.stringify(DEMO_ACCOUNTS),
      ...redirectUris,
    ],
    { ready: /^\{.*"issuer"/ },
  );
  const [, siteJson, issuerJson] = await Promise.all([inboxReady, emulatorLine, idpLine]);
  const site = JSON.parse(siteJson!) as {
    siteUrl: string;
    email: string;
    apiToken: string;
    workspaceId: string;
    assetsApiBase: string;
    /** a second emulator site with an empty Assets: a target instance to restore to */
    target: { siteUrl: string; email: string; apiToken: string; assetsApiBase: string };
  };
  const { issuer } = JSON.parse(issuerJson!) as { issuer: string };
  await waitFor(`http://${host}:${ports.inbox}/`, 30_000, (s) => s < 500);

  if (!isBuildCurrent()) log('building the web UI (vault-web)…');
  ensureWebBuilt();
  log(`starting the vault (first start initialises an embedded PostgreSQL in ${path.join(dataDir, 'pg')})…`);
  const vaultEnv = {
    PORT: String(ports.vault),
    HOST: host,
    VAULT_PUBLIC_URL: vaultUrl,
    VAULT_DATA_DIR: path.join(dataDir, 'pg'),
    NODE_ENV: 'development',
    ALLOW_INSECURE_SITE_URLS: 'true',
    FORGE_WEBHOOK_SECRETS: secrets.webhookSecret,
    ENCRYPTION_KEYS: secrets.encryptionKey,
    SESSION_SECRET: secrets.sessionSecret,
    OIDC_GOOGLE_ISSUER: issuer,
    OIDC_GOOGLE_CLIENT_ID: 'vault',
    OIDC_GOOGLE_CLIENT_SECRET: 'vault-secret',
    OIDC_MICROSOFT_ISSUER: issuer,
    OIDC_MICROSOFT_CLIENT_ID: 'vault',
    OIDC_MICROSOFT_CLIENT_SECRET: 'vault-secret',
    SMTP_URL: `smtp://${host}:${ports.smtp}`,
    MAIL_FROM: 'Assets Backup Vault <vault@example.test>',
    ASSETS_API_BASE_URL: site.assetsApiBase,
    LOG_LEVEL: 'info',
  };
  void start('vault', [...RUN_TYPESCRIPT, 'vault-service/src/server.ts'], { env: vaultEnv });
  await waitFor(`${vaultUrl}/readyz`, 180_000);

  log('the Forge app (local harness) invites the demo users and backs up a schema…');
  const forgeEnv = {
    EMULATOR_SITE: siteJson!,
    VAULT_URL: vaultUrl,
    VAULT_WEBHOOK_SECRET: secrets.webhookSecret,
    FORGE_LOCAL_STATE: path.join(dataDir, 'forge-local-state.json'),
  };
  for (const email of TRUSTED) {
    const invited = await forgeLocal(['invite', email], forgeEnv);
    log(invited.code === 0 ? `invited ${email}` : `inviting ${email} failed (see ${logFile('forge-local')})`);
  }
  const schemas = await forgeLocal(['schemas', '--json'], forgeEnv);
  const schemaList = schemas.code === 0 ? (JSON.parse(schemas.stdout) as Array<{ id: string; name: string }>) : [];
  const main = schemaList.find((s) => s.name !== 'Human Resources') ?? schemaList[0];
  let backupNote = 'no schema found to back up';
  if (main) {
    const backup = await forgeLocal(['backup-now', main.id], forgeEnv);
    backupNote =
      backup.code === 0
        ? `backed up schema "${main.name}" (${backup.stdout.trim().split('\n').pop()})`
        : `backup of "${main.name}" did not complete (see ${logFile('forge-local')})`;
  }
  log(backupNote);

  // the credentials Settings › Stored credentials would hold: restores to this site and "Backup now" work at once
  const stored = await runTypeScript(
    'vault-service/dev/store-credentials.ts',
    [
      '--site-url',
      site.siteUrl,
      '--email',
      site.email,
      '--api-token',
      site.apiToken,
      '--assets-api-base-url',
      site.assetsApiBase,
    ],
    vaultEnv,
  );
  log(stored.code === 0 ? stored.stdout.trim() : `storing the site credentials failed (see ${logFile('setup')})`);

  const line = '─'.repeat(78);
  console.log(`
${line}
 Assets Backup Vault demo is running.            Ctrl-C stops everything.

 Vault (open this):     ${vaultUrl}/?site=${encodeURIComponent(site.siteUrl)}
   Jira site URL:       ${site.siteUrl}   (already filled in by the link above)
   Sign in with:        Google or Microsoft (both are the local demo provider)
   Account to pick:     ana@example.com   (trusted; ben@example.com too; eve@example.com is not)
 Invitation e-mails:    http://${host}:${ports.inbox}/
 Assets emulator:       ${site.siteUrl}
   Basic auth:          ${site.email} / ${site.apiToken}
   Assets API:          ${site.assetsApiBase}/jsm/assets/workspace/${site.workspaceId}/v1
   Stored in the vault for this site (Settings → Stored credentials), so restores, "Backup now" and
   "Compare with live schema" work: e-mail ${site.email}, API token ${site.apiToken}
 Second site to restore to (Settings → Target instances → Add, or "New target instance" in a restore):
   Site URL ${site.target.siteUrl}   e-mail ${site.target.email}   API token ${site.target.apiToken}
   Assets API base URL ${site.target.assetsApiBase}
 API docs (OpenAPI):    ${vaultUrl}/docs
 Forge app from the CLI (same secrets):
   cd forge-app && EMULATOR_SITE='${siteJson}' \\
     VAULT_URL=${vaultUrl} VAULT_WEBHOOK_SECRET='${secrets.webhookSecret}' \\
     FORGE_LOCAL_STATE=${forgeEnv.FORGE_LOCAL_STATE} pnpm forge:local --help
   restore as from Jira: forge:local backups <schemaId>, restore <backupId> --name <n> --key <KEY>, restores
 Logs:                  ${path.join(dataDir, 'logs')}
${line}`);
}

main().catch((err: unknown) => {
  console.error(`[demo] ${(err as Error).message}`);
  stopAll();
  process.exitCode = 1;
});
