/**
 * `pnpm forge:local <command>`: drive the Forge app's real resolvers and jobs from the command line
 * against an emulated site and a vault (see forge-app/README.md "Local harness").
 *
 *   EMULATOR_SITE='{"siteUrl":…}' VAULT_URL=http://127.0.0.1:8080 VAULT_WEBHOOK_SECRET=whsec_… \
 *     pnpm forge:local invite ana@example.com
 *
 * The app's own log lines go to stderr; results go to stdout.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHarness, parseSiteJson, type Harness } from './harness';
import { MemoryKvs } from './memory-kvs';
import { followRestore } from './follow-restore';
import type {
  BackupRunView,
  ResolverResult,
  RestoreDetail,
  RestoreRequest,
  RestoreSummary,
  Schedule,
  SchemaView,
} from '../src/contract';
import { progressText } from '../src/frontend/restore/progress';

const USAGE = `usage: pnpm forge:local <command> [args] [options]

commands
  status                          vault connection and undelivered events
  users                           trusted users
  invite <email>                  add a trusted user (the vault sends the invitation)
  remove <email>                  remove a trusted user
  retry                           retry events the vault did not take
  schemas                         Assets schemas of the site, synced or not
  sync <schemaId>...              set the synced schemas (replaces the list)
  schedule <schemaId> <off|daily|weekly> [HH:00] [day 0-6] [time zone]
  backup-now <schemaId>           sync the schema if needed, back it up and wait for the result
  scheduled-trigger               run the hourly scheduled trigger once, then its jobs
  backups <schemaId>              the schema's backups in the vault (--kind, --from, --to filter them)
  restore <backupId>              restore a backup and follow it until it has finished:
                                    --name <n> --key <KEY>              a new schema on this site (default)
                                    --existing-schema <id> [--duplicates] into an existing schema
                                    --target <targetInstanceId>         on a target instance (with --name/--key,
                                                                        or into --existing-schema there)
                                    --history --icons --types <id,id>   options; --no-wait returns at once
                                  the site's credentials (from the site JSON) are stored in the vault when it has
                                  none, as the page asks for them once
  restores [schemaId]             the restores (of one schema's backups), newest first

options
  --site <file|json>              emulator site JSON (default: $EMULATOR_SITE)
  --vault-url <url>               default: $VAULT_URL
  --vault-secret <whsec_…>        default: $VAULT_WEBHOOK_SECRET
  --state <file>                  keep the app's KVS between runs (default: $FORGE_LOCAL_STATE; none = in memory)
  --invocation-seconds <n>        time a backup consumer invocation gets (default 900, as in manifest.yml)
  --wait-seconds <n>              wait this long for delayed retries before exiting (default 0)
  --rate-factor <n>               ASSETS_RATE_FACTOR (default 50: the emulator has no rate limit)
  --json                          print results as JSON
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    site: { type: 'string' },
    'vault-url': { type: 'string' },
    'vault-secret': { type: 'string' },
    state: { type: 'string' },
    'invocation-seconds': { type: 'string', default: '900' },
    'wait-seconds': { type: 'string', default: '0' },
    'rate-factor': { type: 'string', default: '50' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    kind: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    name: { type: 'string' },
    key: { type: 'string' },
    'existing-schema': { type: 'string' },
    duplicates: { type: 'boolean', default: false },
    target: { type: 'string' },
    history: { type: 'boolean', default: false },
    icons: { type: 'boolean', default: false },
    types: { type: 'string' },
    'no-wait': { type: 'boolean', default: false },
  },
});

class UsageError extends Error {}

function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

function readSite(): string {
  const raw = values.site ?? process.env.EMULATOR_SITE;
  if (!raw)
    throw new UsageError('Give the emulator site JSON with --site or EMULATOR_SITE (pnpm emulator --json prints it)');
  return raw.trim().startsWith('{') ? raw : readFileSync(raw, 'utf8');
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name} is required`);
  return value;
}

function print(human: string, data: unknown): void {
  console.log(values.json ? JSON.stringify(data, null, 2) : human);
}

function unwrap<T>(result: ResolverResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.message} (${result.error.code})`);
  return result.data;
}

function describeRun(run: BackupRunView | undefined): string {
  if (!run) return 'no backup yet';
  const parts = [
    `${run.kind} backup ${run.status}`,
    `${run.records} records in ${run.chunks} chunks`,
    `${run.invocations} invocation(s)`,
  ];
  if (run.backupId) parts.push(`vault backup ${run.backupId}`);
  if (run.error) parts.push(`error: ${run.error}`);
  return parts.join(', ');
}

async function drain(harness: Harness): Promise<void> {
  const waitMs = Number(values['wait-seconds']) * 1000;
  await harness.runQueues(waitMs > 0 ? { untilMs: Date.now() + waitMs } : {});
  const left = harness.queues.waiting();
  if (left.length > 0) {
    note(`${left.length} queued event(s) are delayed (retries); run again with --wait-seconds to let them run.`);
  }
}

function describeRestore(r: RestoreSummary): string {
  const to = `${r.destination.schemaName} (${r.destination.schemaKey})${r.destination.targetName ? ` on ${r.destination.targetName}` : ''}`;
  const counts = `${r.counts.created} created, ${r.counts.skipped} skipped, ${r.counts.failed} failed`;
  return `${r.id}  ${r.createdAt}  ${r.source.schemaName} → ${to}  ${r.status}  ${r.resultMessage ?? ''}  (${counts})`;
}

/** The restore the options describe (see USAGE). */
function restoreRequest(backupId: string): RestoreRequest {
  const newSchema = () => ({
    schemaName: required(values.name, '--name'),
    schemaKey: required(values.key, '--key'),
  });
  const existing = values['existing-schema'];
  const destination: RestoreRequest['destination'] = existing
    ? {
        kind: 'existing-schema',
        schemaId: existing,
        createDuplicates: values.duplicates,
        ...(values.target ? { targetInstanceId: values.target } : {}),
      }
    : values.target
      ? { kind: 'another-instance', targetInstanceId: values.target, ...newSchema() }
      : { kind: 'current-instance', ...newSchema() };
  return {
    backupId,
    destination,
    options: {
      objectIcons: values.icons,
      history: values.history,
      ...(values.types ? { objectTypeIds: values.types.split(',').map((id) => id.trim()) } : {}),
    },
  };
}

async function run(
  harness: Harness,
  site: ReturnType<typeof parseSiteJson>,
  command: string,
  args: string[],
): Promise<void> {
  switch (command) {
    case 'status': {
      const status = unwrap(await harness.invoke('getVaultStatus', {}));
      const lines = [
        `vault ${status.vaultUrl ?? '(not set)'}${status.configured ? '' : ` — ${status.configError}`}`,
        `last successful call: ${status.lastSuccessAt ?? 'never'}`,
        ...(status.lastError ? [`last error: ${status.lastError.at} ${status.lastError.message}`] : []),
        ...status.deliveries.map(
          (d) => `  ${d.state} ${d.type} (${d.attempts} attempts)${d.lastError ? `: ${d.lastError}` : ''}`,
        ),
      ];
      return print(lines.join('\n'), status);
    }
    case 'users': {
      const users = unwrap(await harness.invoke('listTrustedUsers', {}));
      return print(
        users.length === 0
          ? 'no trusted users'
          : users
              .map((u) => `${u.email}  ${u.status}  invited by ${u.invitedBy.displayName} at ${u.invitedAt}`)
              .join('\n'),
        users,
      );
    }
    case 'invite': {
      const user = unwrap(await harness.invoke('addTrustedUser', { email: required(args[0], 'email') }));
      await drain(harness);
      const outcome =
        user.status === 'invited'
          ? 'invited (the vault sends the invitation e-mail)'
          : user.status === 'failed'
            ? 'saved, but the vault refused the event (see `status`)'
            : 'saved; the vault is not reachable yet, the invitation is retried';
      // Scripts (the demo) read the exit code: 0 only when the vault took the invitation.
      if (user.status !== 'invited') process.exitCode = 1;
      return print(`${user.email}: ${outcome}`, user);
    }
    case 'remove': {
      const result = unwrap(await harness.invoke('removeTrustedUser', { email: required(args[0], 'email') }));
      await drain(harness);
      if (result.status !== 'removed') process.exitCode = 1;
      return print(
        `${result.email}: ${result.status === 'removed' ? 'removed' : `${result.status}; the vault has not taken the removal yet`}`,
        result,
      );
    }
    case 'retry': {
      const status = unwrap(await harness.invoke('retryDeliveries', {}));
      await drain(harness);
      return print(`${status.deliveries.length} event(s) still waiting`, status);
    }
    case 'schemas': {
      const schemas = unwrap(await harness.invoke('listSchemas', {}));
      return print(
        schemas
          .map(
            (s) =>
              `${s.id}  ${s.name} (${s.key})  ${s.objectCount ?? '?'} objects  ${s.synced ? 'synced' : 'not synced'}  ${describeRun(s.lastBackup)}`,
          )
          .join('\n'),
        schemas,
      );
    }
    case 'sync': {
      if (args.length === 0) throw new UsageError('sync needs at least one schema id');
      const schemas = unwrap(await harness.invoke('setSyncedSchemas', { schemaIds: args }));
      await drain(harness);
      return print(
        schemas
          .filter((s) => s.synced)
          .map((s) => `${s.id}  ${s.name}  ${s.syncStatus ?? ''}`)
          .join('\n'),
        schemas,
      );
    }
    case 'schedule': {
      const [schemaId, frequency, time = '02:00', day = '0', timezone = 'UTC'] = args;
      const schedule = { frequency, time, dayOfWeek: Number(day), timezone } as Schedule;
      const schema = unwrap(
        await harness.invoke('setSchedule', { schemaId: required(schemaId, 'schemaId'), schedule }),
      );
      return print(
        `${schema.name}: ${schema.schedule.frequency} ${schema.schedule.time} ${schema.schedule.timezone}`,
        schema,
      );
    }
    case 'backup-now': {
      const schemaId = required(args[0], 'schemaId');
      const before = unwrap(await harness.invoke('listSchemas', {}));
      if (!before.find((s) => s.id === schemaId)?.synced) {
        const synced = before.filter((s) => s.synced).map((s) => s.id);
        unwrap(await harness.invoke('setSyncedSchemas', { schemaIds: [...synced, schemaId] }));
      }
      const started = unwrap(await harness.invoke('backupNow', { schemaId }));
      note(`backup job ${started.jobId} queued; running its invocations…`);
      await drain(harness);
      const after: SchemaView | undefined = unwrap(await harness.invoke('listSchemas', {})).find(
        (s) => s.id === schemaId,
      );
      print(describeRun(after?.lastBackup), after?.lastBackup);
      if (after?.lastBackup?.status !== 'completed') process.exitCode = 1;
      return;
    }
    case 'scheduled-trigger': {
      await harness.runScheduledTrigger();
      await drain(harness);
      const schemas = unwrap(await harness.invoke('listSchemas', {}));
      return print(
        schemas
          .filter((s) => s.synced)
          .map((s) => `${s.id}  ${s.name}  ${describeRun(s.lastBackup)}`)
          .join('\n'),
        schemas,
      );
    }
    case 'backups': {
      const backups = unwrap(
        await harness.invoke('listBackups', {
          schemaId: required(args[0], 'schemaId'),
          ...(values.kind ? { kind: values.kind as 'manual' | 'scheduled' } : {}),
          ...(values.from ? { from: values.from } : {}),
          ...(values.to ? { to: values.to } : {}),
        }),
      );
      return print(
        backups.length === 0
          ? 'no backups'
          : backups
              .map(
                (b) =>
                  `${b.n}  ${b.backupDate}  ${b.objects} objects  ${b.type}  history ${b.historyStatus}  objects in issues ${b.objectsInIssuesStatus}  ${b.id}`,
              )
              .join('\n'),
        backups,
      );
    }
    case 'restore': {
      const request = restoreRequest(required(args[0], 'backupId'));
      const d = request.destination;
      if (d.kind === 'current-instance' || (d.kind === 'existing-schema' && d.targetInstanceId === undefined)) {
        const credentials = unwrap(await harness.invoke('getSiteCredentials', {}));
        if (!credentials.stored) {
          unwrap(
            await harness.invoke('saveSiteCredentials', {
              email: site.email,
              apiToken: site.apiToken,
              ...(site.assetsApiBase ? { assetsApiBaseUrl: site.assetsApiBase } : {}),
            }),
          );
          note(`the vault had no credentials of this site: stored ${site.email}'s (encrypted in the vault)`);
        }
      }
      const preview = unwrap(await harness.invoke('previewRestore', request));
      note(`the restore creates up to ${preview.objectCount} objects of ${preview.objectTypes.length} object types`);
      for (const warning of preview.warnings) note(`warning: ${warning}`);
      const accepted = unwrap(await harness.invoke('startRestore', request));
      if (values['no-wait']) return print(`restore ${accepted.id} ${accepted.status}`, accepted);
      note(`restore ${accepted.id} ${accepted.status}; following it…`);
      let last = '';
      const done: RestoreDetail = await followRestore(harness, accepted.id, {
        onProgress: (r) => {
          const line = r.status === 'in_progress' ? progressText(r.progress) : r.status;
          if (line !== last) note((last = line));
        },
      });
      const log =
        done.status === 'completed'
          ? unwrap(await harness.invoke('restoreLogLink', { restoreId: done.id }))
          : undefined;
      if (done.status !== 'completed') process.exitCode = 1;
      return print(
        [
          describeRestore(done),
          ...(done.destination.schemaUrl ? [`schema: ${done.destination.schemaUrl}`] : []),
          ...(log ? [`full log (.xlsx, link valid until ${log.expiresAt}): ${log.url}`] : []),
        ].join('\n'),
        { restore: done, log },
      );
    }
    case 'restores': {
      const list = unwrap(await harness.invoke('listRestores', args[0] ? { schemaId: args[0] } : {}));
      return print(list.items.length === 0 ? 'no restores' : list.items.map(describeRestore).join('\n'), list);
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

async function main(): Promise<void> {
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  // Keep stdout for results: the app's JSON log lines (Forge's invocation log) go to stderr.
  const appLog = (...parts: unknown[]) => {
    process.stderr.write(`[forge] ${parts.map(String).join(' ')}\n`);
  };
  console.info = appLog;
  console.warn = appLog;
  console.error = appLog;
  const statePath = values.state ?? process.env.FORGE_LOCAL_STATE;
  const kvs = new MemoryKvs();
  if (statePath && existsSync(statePath))
    kvs.load(JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>);
  const site = parseSiteJson(readSite());
  const harness = await startHarness({
    site,
    vaultUrl: required(values['vault-url'] ?? process.env.VAULT_URL, 'VAULT_URL (or --vault-url)'),
    vaultSecret: required(
      values['vault-secret'] ?? process.env.VAULT_WEBHOOK_SECRET,
      'VAULT_WEBHOOK_SECRET (or --vault-secret)',
    ),
    kvs,
    assetsRateFactor: Number(values['rate-factor']),
    budgets: { backupMs: Number(values['invocation-seconds']) * 1000 },
  });
  try {
    await run(harness, site, command, args);
  } finally {
    harness.close();
    if (statePath) {
      mkdirSync(path.dirname(path.resolve(statePath)), { recursive: true });
      writeFileSync(statePath, JSON.stringify(kvs.snapshot(), null, 2));
    }
  }
}

main().catch((err: unknown) => {
  note(err instanceof UsageError ? `${err.message}\n\n${USAGE}` : err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
