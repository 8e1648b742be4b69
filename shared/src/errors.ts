/**
 * One error hierarchy for every package. Errors are thrown, never returned; `code` is a stable
 * snake_case string, `statusCode` the HTTP status a server should answer with, and `expose` tells an
 * error handler whether `message` may reach a client (5xx never do).
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly statusCode: number;
  readonly expose: boolean;
  readonly details?: unknown;

  constructor(
    code: string,
    message: string,
    statusCode: number,
    options?: { cause?: unknown; details?: unknown; expose?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = statusCode;
    this.expose = options?.expose ?? statusCode < 500;
    this.details = options?.details;
  }
}

/** Bad input: 400 by default, 422 for well-formed input the server cannot process. */
export class ValidationError extends AppError {
  override name = 'ValidationError';
  constructor(
    message: string,
    options?: { details?: unknown; cause?: unknown; statusCode?: 400 | 422; code?: string },
  ) {
    super(options?.code ?? 'validation_failed', message, options?.statusCode ?? 400, options);
  }
}

export class UnauthorizedError extends AppError {
  override name = 'UnauthorizedError';
  constructor(message = 'Not authorised', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'unauthorized', message, 401, options);
  }
}

/** Also the answer for another tenant's id, so ids never reveal that they exist elsewhere. */
export class NotFoundError extends AppError {
  override name = 'NotFoundError';
  constructor(message = 'Not found', options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'not_found', message, 404, options);
  }
}

export class ConflictError extends AppError {
  override name = 'ConflictError';
  constructor(message: string, options?: { cause?: unknown; code?: string; details?: unknown }) {
    super(options?.code ?? 'conflict', message, 409, options);
  }
}

export class PayloadTooLargeError extends AppError {
  override name = 'PayloadTooLargeError';
  constructor(message = 'Payload too large', options?: { cause?: unknown }) {
    super('payload_too_large', message, 413, options);
  }
}
