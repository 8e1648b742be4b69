/**
 * The request schedule of one target site and endpoint bucket, shared by every pacer (modules/pacing).
 * Times are milliseconds of the pacers' clocks (Date.now in production), double precision so they come
 * back as numbers.
 */
export interface PacingBucketTable {
  /** the target site (its URL, the Assets client's `siteKey`) */
  key: string;
  /** an `EndpointBucket` */
  bucket: string;
  /** theoretical arrival time (GCRA): the last reserved token is due then; the bucket is empty at it */
  tat_ms: number;
}

export interface PacingTables {
  pacing_bucket: PacingBucketTable;
}
