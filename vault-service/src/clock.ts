/** Time as a dependency: services take a `Clock` so tests can pin "now" without mocking. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
