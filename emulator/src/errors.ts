/**
 * The emulator's own HTTP error: a status plus the exact body the real API would send. Store
 * operations throw it, the server's error handler answers with it.
 */
export interface JiraEnvelope {
  errorMessages: string[];
  errors: Record<string, string>;
}

export class EmulatorHttpError extends Error {
  override name = 'EmulatorHttpError';
  readonly statusCode: number;
  readonly body: JiraEnvelope;
  constructor(statusCode: number, body: Partial<JiraEnvelope>) {
    super(body.errorMessages?.[0] ?? Object.values(body.errors ?? {})[0] ?? `HTTP ${statusCode}`);
    this.statusCode = statusCode;
    this.body = { errorMessages: body.errorMessages ?? [], errors: body.errors ?? {} };
  }
}

export const badRequest = (errors: Record<string, string>, errorMessages: string[] = []) =>
  new EmulatorHttpError(400, { errorMessages, errors });
export const badRequestMessage = (message: string) => new EmulatorHttpError(400, { errorMessages: [message] });
export const notFound = (message: string) => new EmulatorHttpError(404, { errorMessages: [message] });
