const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids that are not UUIDs cannot exist; answering "not found" without a query keeps Postgres from raising a cast error. */
export const isBackupId = (id: string) => UUID.test(id);
