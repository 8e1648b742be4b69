import { sql, type Kysely } from 'kysely';

/**
 * Shared request pacing (issue 13): one schedule per target site and endpoint bucket, which every worker
 * of every replica draws from (modules/pacing). UNLOGGED: the state is worth nothing after a crash (a
 * lost row starts with a full burst again), and the constant reservations then write no WAL. A low
 * fillfactor keeps those updates HOT (no index write).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create unlogged table pacing_bucket (
      key text not null,
      bucket text not null,
      tat_ms double precision not null,
      primary key (key, bucket)
    ) with (fillfactor = 50)
  `.execute(db);
}
