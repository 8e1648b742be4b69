/** Request pacing shared by every worker and replica (README.md beside this file). */
export { createPostgresPacer, type PacerStats, type PostgresPacer, type PostgresPacerOptions } from './pacer.js';
export { deleteIdleBuckets } from './repository.js';
