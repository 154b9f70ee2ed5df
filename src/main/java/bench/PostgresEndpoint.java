package bench;

import settings.Secret;

/**
 * Where the source PostgreSQL listens and who connects, for the readers the benchmark starts outside
 * the pipeline (pg_recvlogical, Kafka Connect), which need it as host and port rather than a JDBC URL.
 * The publication is the pipeline's: every reader decodes the same tables through pgoutput.
 */
record PostgresEndpoint(String host, int port, String database, String user, Secret password, String publication) {
}
