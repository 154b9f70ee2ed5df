-- A user's own table, migrated by the user's own Flyway: the pipeline must leave it and its history alone.
CREATE TABLE orders (
    id     int PRIMARY KEY,
    amount numeric(10, 2) NOT NULL,
    note   text
);
