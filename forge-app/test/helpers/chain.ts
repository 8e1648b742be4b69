import { randomBytes } from 'node:crypto';
import { startEmulator, seedFixture, type Emulator, type EmulatorSite, type SeedResult } from '@assets-vault/emulator';
import { startHarness, type Harness, type HarnessOptions } from '../../local/harness';
import type { ResolverResult } from '../../src/contract';
import { startSmtpSink, type SmtpSink } from './smtp';
import { startVaultProcess, type VaultProcess } from './vault-process';

/** The whole chain over real sockets: an SMTP sink, the vault process, a seeded emulator site and the local Forge platform. */
export interface Chain {
  smtp: SmtpSink;
  vault: VaultProcess;
  emulator: Emulator;
  site: EmulatorSite;
  seeded: SeedResult;
  harness: Harness;
  close(): Promise<void>;
}

export async function startChain(options: {
  name: string;
  objects: number;
  harness?: Omit<HarnessOptions, 'site' | 'vaultUrl' | 'vaultSecret'>;
}): Promise<Chain> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const smtp = await startSmtpSink();
  const vault = await startVaultProcess({ webhookSecret: secret, smtpUrl: smtp.url });
  const emulator = await startEmulator();
  const site = emulator.createSite({ name: options.name });
  const seeded = seedFixture(site, { objects: options.objects, seed: options.name });
  const harness = await startHarness({
    site: site.info,
    vaultUrl: vault.url,
    vaultSecret: secret,
    assetsRateFactor: 100,
    ...options.harness,
  });
  return {
    smtp,
    vault,
    emulator,
    site,
    seeded,
    harness,
    async close() {
      harness.close();
      await emulator.close();
      await vault.stop();
      await smtp.close();
    },
  };
}

/** A resolver's data, or its error as a thrown Error that names the code. */
export function ok<T>(result: ResolverResult<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.data;
}
