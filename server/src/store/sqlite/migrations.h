/* The schema as an ordered list of migrations; entry i takes user_version i to i+1. */
#ifndef KT_MIGRATIONS_H
#define KT_MIGRATIONS_H

int kt_migrations_count(void);
const char *kt_migration_sql(int index); /* static text, or NULL when out of range */

#endif
