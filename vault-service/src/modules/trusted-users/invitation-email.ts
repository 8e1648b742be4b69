/**
 * The invitation e-mail: which Jira site, who invited, where the vault is, how to log in.
 * Every user-provided string (inviter name, site URL, e-mail) is HTML-escaped in the HTML part and
 * stripped of control characters everywhere (no header injection through the subject).
 */
export interface InvitationEmailInput {
  to: string;
  siteUrl: string;
  inviterName: string;
  vaultUrl: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Removes control characters (CR/LF included) and trims to `max` characters. */
export function plainLine(value: string, max = 200): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .trim()
      .slice(0, max)
  );
}

export function renderInvitationEmail(input: InvitationEmailInput): RenderedEmail {
  const site = plainLine(input.siteUrl, 300);
  const siteHost = site.replace(/^https?:\/\//, '');
  const inviter = plainLine(input.inviterName) || 'A Jira administrator';
  const to = plainLine(input.to, 254);
  const vaultUrl = input.vaultUrl;

  const subject = plainLine(`You have been invited to the Assets Backup Vault of ${siteHost}`, 250);
  const text = [
    'Hello,',
    '',
    `${inviter} invited you (${to}) to the Assets Backup Vault of the Jira site ${site}.`,
    "The vault keeps backups of the site's Assets schemas available, also when Atlassian Cloud cannot be reached.",
    '',
    'To log in:',
    `  1. Open ${vaultUrl}`,
    `  2. Enter the site URL, starting with https:// : ${site}`,
    `  3. Choose "Google" or "Microsoft" and sign in with ${to}.`,
    '',
    'Only accounts with Google or Microsoft authentication can access the vault.',
    'If you did not expect this invitation, you can ignore this e-mail.',
  ].join('\n');

  const h = escapeHtml;
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
<p><strong>${h(inviter)}</strong> invited you (${h(to)}) to the Assets Backup Vault of the Jira site <strong>${h(site)}</strong>.
The vault keeps backups of the site's Assets schemas available, also when Atlassian Cloud cannot be reached.</p>
<p>To log in:</p>
<ol>
<li>Open <a href="${h(vaultUrl)}">${h(vaultUrl)}</a></li>
<li>Enter the site URL, starting with https:// : <code>${h(site)}</code></li>
<li>Choose <em>Google</em> or <em>Microsoft</em> and sign in with ${h(to)}.</li>
</ol>
<p>Only accounts with Google or Microsoft authentication can access the vault.
If you did not expect this invitation, you can ignore this e-mail.</p>
</body></html>
`;
  return { subject, text, html };
}
