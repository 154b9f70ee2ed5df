-- The role the loader runs as (flightcdc.snowflake.role when it loads), created by `migrate`, which runs
-- with a role that may create it. Least privilege: it may reach the database, the schema and the compute
-- warehouse, and nothing in them; the migrations of each mode grant what that mode's loader needs.
CREATE ROLE IF NOT EXISTS ${loader_role};

GRANT USAGE ON DATABASE ${database} TO ROLE ${loader_role};

GRANT USAGE ON SCHEMA ${database}.${schema} TO ROLE ${loader_role};

GRANT USAGE ON WAREHOUSE ${warehouse} TO ROLE ${loader_role};
