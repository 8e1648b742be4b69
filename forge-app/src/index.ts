/**
 * The Forge function handlers named in manifest.yml (`index.<export>`). Each is a thin entry point
 * into src/resolvers and src/jobs.
 */
import type { AsyncEvent } from '@forge/events';
import { runBackupSlice } from './jobs/backup-consumer';
import { deliverPendingEvents } from './jobs/delivery-consumer';
import { runScheduler } from './jobs/scheduler';
import { buildResolver } from './resolvers/index';

/** function `resolver`: the UI Kit page's resolver definitions. */
export const handler = buildResolver();

/** function `backup-consumer-fn` (queue `backup-jobs`): one slice of a backup job. */
export async function backupConsumer(event: AsyncEvent): Promise<void> {
  await runBackupSlice(event);
}

/** function `vault-delivery-fn` (queue `vault-deliveries`): retry undelivered vault events. */
export async function vaultDeliveryConsumer(_event: AsyncEvent): Promise<void> {
  await deliverPendingEvents();
}

/** function `backup-scheduler-fn` (hourly scheduled trigger): enqueue due and stalled backups. */
export async function scheduledBackup(): Promise<void> {
  await runScheduler();
}
