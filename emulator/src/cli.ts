/**
 * `pnpm emulator --port 4000 --seed demo [--objects 2000] [--host 127.0.0.1] [--target-site NAME] [--json]`
 * Starts the emulator with one seeded site and prints how to reach it. With --json it prints one
 * line `{"siteUrl","assetsApiBase","workspaceId","cloudId","email","apiToken"}` once ready.
 * `--target-site NAME` adds a second site with an empty Assets (a place to restore to), printed as `target`.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';
import { seedFixture } from './fixtures.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4000' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: 'demo' },
    objects: { type: 'string', default: '2000' },
    site: { type: 'string', default: 'demo' },
    'target-site': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: pnpm emulator [--port 4000] [--host 127.0.0.1] [--seed demo] [--objects 2000] [--site demo] [--target-site NAME] [--json]',
  );
} else {
  const port = Number(values.port);
  const objects = Number(values.objects);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  if (!Number.isInteger(objects) || objects < 0)
    throw new Error(`--objects must be a non-negative integer, got ${values.objects}`);
  const emulator = await startEmulator({ host: values.host, port, seed: values.seed });
  const site = emulator.createSite({ name: values.site });
  const seeded = seedFixture(site, { objects, seed: values.seed, systemSchema: true });
  const { siteUrl, assetsApiBase, workspaceId, cloudId, email, apiToken } = site.info;
  const targetName = values['target-site'];
  const target = targetName ? emulator.createSite({ name: targetName }).info : undefined;
  if (values.json) {
    console.log(
      JSON.stringify({
        siteUrl,
        assetsApiBase,
        workspaceId,
        cloudId,
        email,
        apiToken,
        ...(target
          ? {
              target: {
                siteUrl: target.siteUrl,
                assetsApiBase: target.assetsApiBase,
                email: target.email,
                apiToken: target.apiToken,
              },
            }
          : {}),
      }),
    );
  } else {
    console.log(
      [
        `Assets Cloud + Jira emulator listening on ${emulator.url}`,
        `  site URL        ${siteUrl}`,
        `  Assets API      ${assetsApiBase}/jsm/assets/workspace/${workspaceId}/v1`,
        `  workspace id    ${workspaceId}`,
        `  cloud id        ${cloudId}`,
        `  email           ${email}`,
        `  API token       ${apiToken}`,
        `  bearer token    ${site.info.bearerToken}`,
        `  seeded schema   ${seeded.schemaId} with ${seeded.objectCount} objects (second schema ${seeded.secondSchemaId ?? '-'}), ${seeded.issueKeys.length} issues`,
        `  controls        ${emulator.url}/__emulator/counters?site=${site.info.name}`,
        ...(target ? [`  target site     ${target.siteUrl} (empty Assets; ${target.email} / ${target.apiToken})`] : []),
        'Ctrl+C stops it.',
      ].join('\n'),
    );
  }
  const stop = () => {
    emulator.close().then(
      () => {
        process.exitCode = 0;
      },
      (err: unknown) => {
        console.error(err);
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
