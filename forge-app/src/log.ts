/**
 * Forge collects console output as the invocation log (visible to the app's developers, 100
 * lines per runtime minute). One JSON line per entry with a fixed message and data fields; never
 * secrets, e-mail bodies, Assets object contents or upload bytes.
 */
type Fields = Record<string, string | number | boolean | undefined>;

function write(level: 'info' | 'warn' | 'error', msg: string, fields: Fields): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.info(line);
}

export const log = {
  info: (msg: string, fields: Fields = {}) => write('info', msg, fields),
  warn: (msg: string, fields: Fields = {}) => write('warn', msg, fields),
  error: (msg: string, fields: Fields = {}) => write('error', msg, fields),
};

/** A log-safe description of an error: its class and message, never its cause chain or stack. */
export function describeError(err: unknown): { error: string; message: string } {
  if (err instanceof Error) return { error: err.name, message: err.message.slice(0, 300) };
  return { error: typeof err, message: String(err).slice(0, 300) };
}
