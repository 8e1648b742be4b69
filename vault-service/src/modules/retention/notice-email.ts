/**
 * The e-mail every trusted user of a site gets when its retention policy changes or several backups
 * are deleted at once: a stolen session that tries to empty the vault is noticed by the others while
 * the backups are still in the trash. Text and HTML; every user-provided string escaped.
 */
import { escapeHtml, plainLine, type RenderedEmail } from '../trusted-users/invitation-email.js';
import type { RetentionPolicy } from './repository.js';

export type RetentionNotice =
  | { kind: 'policy_saved'; actor: string; previous: RetentionPolicy; policy: RetentionPolicy }
  | { kind: 'backups_deleted'; actor: string; count: number; purgeAfter: Date; trashDays: number };

const limit = (n: number | null, unit: string) => (n === null ? 'no limit' : `${n} ${unit}`);
const describePolicy = (p: RetentionPolicy) =>
  `keep manual: ${limit(p.keepManual, 'backups')}, keep scheduled: ${limit(p.keepScheduled, 'backups')}, maximum age: ${limit(p.maxAgeDays, 'days')}`;

export function renderRetentionNotice(input: {
  siteUrl: string;
  vaultUrl: string;
  notice: RetentionNotice;
}): RenderedEmail {
  const site = plainLine(input.siteUrl, 300);
  const siteHost = site.replace(/^https?:\/\//, '');
  const actor = plainLine(input.notice.actor, 254);
  const { notice } = input;
  const subject =
    notice.kind === 'policy_saved'
      ? plainLine(`Backup retention changed for ${siteHost}`, 250)
      : plainLine(`${notice.count} backups of ${siteHost} were deleted`, 250);
  const lines =
    notice.kind === 'policy_saved'
      ? [
          `${actor} changed the backup retention policy of the Jira site ${site}.`,
          `Before: ${describePolicy(notice.previous)}.`,
          `Now: ${describePolicy(notice.policy)}.`,
          'Backups outside the new policy go to the trash.',
        ]
      : [
          `${notice.count} backups of the Jira site ${site} were deleted at once (by ${actor}).`,
          `They stay in the vault's trash for ${notice.trashDays} days, until ${notice.purgeAfter.toISOString()}, and can be restored from Settings > Trash until then.`,
        ];
  const footer = [
    'Every trusted user of the site gets this message.',
    `If you did not expect it, sign in to ${input.vaultUrl} and check the audit log.`,
  ];
  const text = ['Hello,', '', ...lines, '', ...footer].join('\n');
  const h = escapeHtml;
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
${lines.map((l) => `<p>${h(l)}</p>`).join('\n')}
<p>${h(footer[0] ?? '')} If you did not expect it, sign in to <a href="${h(input.vaultUrl)}">${h(input.vaultUrl)}</a> and check the audit log.</p>
</body></html>
`;
  return { subject, text, html };
}
