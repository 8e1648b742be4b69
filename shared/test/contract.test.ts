/**
 * The Forge ↔ vault wire contract as both halves import it. The chunk webhook-id is a known-answer
 * vector: Forge app versions already deployed send exactly this string.
 */
import { ValidationError } from '../src/errors.js';
import {
  chunkWebhookId,
  forgeApiPaths,
  forgeEventDataSchemas,
  parseForgeEvent,
  type ForgeEventData,
  type ForgeEventType,
} from '../src/contract/index.js';

const SHA256 = 'a'.repeat(64);
const actor = { accountId: '5b10a2844c20165700ede21g', displayName: 'Ana Admin' };
const dataByType: { [K in ForgeEventType]: ForgeEventData<K> } = {
  'installation.connected': { workspaceId: null, appVersion: '1.0.0' },
  'trusted_user.invited': { email: 'ana@example.com', invitedBy: actor },
  'trusted_user.removed': { email: 'ana@example.com', removedBy: actor },
  'schema.synced': { schemaId: '7', name: 'IT assets', key: 'ITA', objectCount: 12, synced: false },
  'backup.deleted': { backupId: '0b0c3f4e-9a1d-4c55-8f0e-2f6c1c1d9e10' },
};
const event = (type: string, data: unknown, occurredAt = '2026-11-25T10:00:00Z') => ({
  type,
  cloudId: 'c-1',
  siteUrl: 'https://acme.atlassian.net',
  occurredAt,
  data,
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return `${err.statusCode} ${err.code}`;
    throw err;
  }
  throw new Error('expected a ValidationError');
}

describe('wire contract', () => {
  it('binds a chunk webhook-id to backup, sequence number and hash', () => {
    expect(chunkWebhookId('0b0c3f4e-9a1d-4c55-8f0e-2f6c1c1d9e10', 3, SHA256)).toBe(
      `chunk_0b0c3f4e-9a1d-4c55-8f0e-2f6c1c1d9e10_3_${SHA256}`,
    );
  });

  it('builds the signed API paths with the backup id as one path segment', () => {
    expect(forgeApiPaths.chunk('a/b?c', 0)).toBe('/api/v1/forge/backups/a%2Fb%3Fc/chunks/0');
    expect(forgeApiPaths.complete('b-1')).toBe('/api/v1/forge/backups/b-1/complete');
  });

  it('accepts one event of every type', () => {
    expect(Object.keys(dataByType).sort()).toEqual(Object.keys(forgeEventDataSchemas).sort());
    for (const [type, data] of Object.entries(dataByType)) expect(parseForgeEvent(event(type, data)).type).toBe(type);
  });

  it('refuses an unknown type, bad data, a bad envelope and an impossible date with a 422', () => {
    expect(codeOf(() => parseForgeEvent(event('schema.deleted', {})))).toBe('422 unknown_event_type');
    expect(codeOf(() => parseForgeEvent(event('trusted_user.invited', { email: 'ana@example.com' })))).toBe(
      '422 invalid_event',
    );
    expect(codeOf(() => parseForgeEvent({ ...event('backup.deleted', {}), cloudId: '' }))).toBe('422 invalid_event');
    expect(codeOf(() => parseForgeEvent(event('backup.deleted', { backupId: 'b' }, '2026-02-30T25:61:00Z')))).toBe(
      '422 invalid_event',
    );
  });
});
