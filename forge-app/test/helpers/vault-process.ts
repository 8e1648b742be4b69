/**
 * The real vault (vault-service/src/server.ts) as a separate process on its own Postgres database,
 * exactly as an operator starts it, for the integration test. The database is created and dropped
 * with psql against PostgreSQL on 127.0.0.1:5432.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface VaultProcess {
  url: string;
  databaseUrl: string;
  /** Runs one SQL statement on the vault's database and returns the rows as objects. */
  query<T = Record<string, unknown>>(sql: string): T[];
  stop(): Promise<void>;
}

const PG = { host: '127.0.0.1', port: '5432', user: 'postgres' };

function psql(database: string, sql: string): string {
  return execFileSync(
    'psql',
    [
      '-h',
      PG.host,
      '-p',
      PG.port,
      '-U',
      PG.user,
      '-d',
      database,
      '-v',
      'ON_ERROR_STOP=1',
      '-X',
      '-q',
      '-A',
      '-t',
      '-c',
      sql,
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

export async function startVaultProcess(options: { webhookSecret: string; smtpUrl: string }): Promise<VaultProcess> {
  const database = `forge_it_${randomBytes(6).toString('hex')}`;
  psql('postgres', `CREATE DATABASE ${database}`);
  const databaseUrl = `postgres://${PG.user}@${PG.host}:${PG.port}/${database}`;
  // the vault's sources through tsx, workspace packages from their sources too (ADR 0010)
  const runSource = ['--conditions=@assets-vault/source', '--import', 'tsx'];
  const child: ChildProcess = spawn(process.execPath, [...runSource, 'src/server.ts'], {
    cwd: path.resolve(__dirname, '..', '..', '..', 'vault-service'),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      VAULT_PUBLIC_URL: 'http://127.0.0.1:8080',
      FORGE_WEBHOOK_SECRETS: options.webhookSecret,
      ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      SMTP_URL: options.smtpUrl,
      MAIL_FROM: 'Assets Backup Vault <vault@example.test>',
      ALLOW_INSECURE_SITE_URLS: 'true',
      OUTBOX_POLL_INTERVAL_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`vault did not start within 60 s:\n${output.slice(-4000)}`)),
      60_000,
    );
    const onLine = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('"vault listening"')) continue;
        try {
          const address = (JSON.parse(line) as { address?: string }).address;
          if (address) {
            clearTimeout(timer);
            resolve(address);
          }
        } catch {
          // the line is not complete yet
        }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vault exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
  return {
    url,
    databaseUrl,
    query<T>(sql: string): T[] {
      const out = psql(database, `SELECT coalesce(json_agg(q), '[]'::json) FROM (${sql}) q`);
      return JSON.parse(out.trim() || '[]') as T[];
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}
