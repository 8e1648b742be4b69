/**
 * A minimal SMTP receiver on 127.0.0.1 (RFC 5321 happy path: EHLO/HELO, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT; no STARTTLS, no AUTH), enough for the vault's mailer to deliver to it over a real
 * socket. Keeps each message's envelope and raw text.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** headers and body as received, dot-unstuffed */
  raw: string;
  subject: string;
}

export interface SmtpSink {
  url: string;
  inbox: ReceivedMail[];
  waitForMail(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

const address = (arg: string) => /<([^>]*)>/.exec(arg)?.[1] ?? arg.trim();

function decodeSubject(raw: string): string {
  const header = /^Subject:(.*(?:\r\n[ \t].*)*)/im.exec(raw)?.[1] ?? '';
  // RFC 2047 encoded words, as mailers write non-ASCII subjects
  return header
    .replace(/\r\n[ \t]/g, ' ')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8'),
    )
    .replace(/\?=\s+=\?/g, '')
    .trim();
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const inbox: ReceivedMail[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let from = '';
    let to: string[] = [];
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink.local ESMTP ready');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          const raw = buffer.slice(0, end).replace(/^\.\./gm, '.');
          buffer = buffer.slice(end + 5);
          inData = false;
          inbox.push({ from, to, raw, subject: decodeSubject(raw) });
          reply('250 2.0.0 queued');
          continue;
        }
        const newline = buffer.indexOf('\r\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const [verb = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        switch (verb.toUpperCase()) {
          case 'EHLO':
            reply('250-sink.local');
            reply('250 8BITMIME');
            break;
          case 'HELO':
            reply('250 sink.local');
            break;
          case 'MAIL':
            from = address(arg.replace(/^FROM:/i, ''));
            to = [];
            reply('250 2.1.0 ok');
            break;
          case 'RCPT':
            to.push(address(arg.replace(/^TO:/i, '')));
            reply('250 2.1.5 ok');
            break;
          case 'DATA':
            inData = true;
            reply('354 end with <CRLF>.<CRLF>');
            break;
          case 'RSET':
            from = '';
            to = [];
            reply('250 ok');
            break;
          case 'NOOP':
            reply('250 ok');
            break;
          case 'QUIT':
            reply('221 bye');
            socket.end();
            return;
          default:
            reply('502 5.5.2 command not implemented');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inbox,
    async waitForMail(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (inbox.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} e-mail(s), got ${inbox.length}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return inbox;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
