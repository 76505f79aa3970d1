/* The PostgreSQL schema. Versions count like SQLite's (store/sqlite/migrations.c): a database
 * at version N has the same tables, columns and meaning on both backends. A new PostgreSQL
 * database starts directly at kt_pg_base_version() with the whole schema of that version; every
 * later change is one entry here and one there, with the same number. */
#ifndef KT_PG_MIGRATIONS_H
#define KT_PG_MIGRATIONS_H

int kt_pg_base_version(void);
const char *kt_pg_base_schema(void);
/* The last version, and the text that takes version v-1 to v (v > base). */
int kt_pg_latest_version(void);
const char *kt_pg_migration_sql(int version);

#endif
