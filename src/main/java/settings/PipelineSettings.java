package settings;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import opensky.BoundingBox;
import opensky.ClientCredentials;
import opensky.CreditBudget;
import warehouse.TableId;

/**
 * Every setting of the pipeline, typed and validated once at startup. The keys, defaults and
 * one-line docs live in application.properties; this class is where they are checked.
 */
public record PipelineSettings(Path dataDir, Source source, Kafka kafka, OpenSky openSky, Warehouse warehouse,
                               Optional<SnowflakeSettings> snowflake, Monitor monitor, Capture capture,
                               Failover failover, Http http) {

    private static final String PG_IDENTIFIER = "[a-z_][a-z0-9_]{0,62}";

    /** File in the data folder where Debezium keeps its position in the WAL. */
    public static final String DEBEZIUM_OFFSETS_FILE = "debezium-offsets.dat";

    /**
     * Where the source PostgreSQL is and who connects to it. The user and password are an external
     * server's; the embedded one is always reached as its superuser with the password it generated
     * (see EmbeddedPostgresServer). The password prints as {@value Secret#HIDDEN}.
     */
    public record Source(Optional<String> jdbcUrl, String user, Secret password, int embeddedPort,
                         List<TableId> tables, String slot, String publication, int heartbeatIntervalMs, Tls tls,
                         String schema) {
        public boolean embedded() {
            return jdbcUrl.isEmpty();
        }
    }

    /** Whether this process serves the dashboard: the HTTP server is on, and it loads the warehouse the dashboard shows. */
    public boolean servesDashboard() {
        return http.enabled() && warehouse.loadEnabled();
    }

    /** The table the poll writes, in public (sql/poll). */
    public static final TableId POLLED_TABLE = new TableId("public", "flight_state");

    /**
     * Whether the source needs the poll's tables (flight_state, rejected_state): when the poll writes them, or when
     * flight_state is captured without it (changes made by hand to the default table). A database captured for
     * its own tables gets none of them.
     */
    public boolean pollTables() {
        return openSky.pollEnabled() || source.tables().contains(POLLED_TABLE);
    }

    /**
     * TLS to the source, for the JDBC connections and Debezium's alike.
     *
     * @param sslMode libpq's sslmode: disable, allow, prefer, require, verify-ca or verify-full
     * @param rootCert the certificate authority the server's certificate must be signed by, for verify-ca and verify-full
     */
    public record Tls(String sslMode, Optional<Path> rootCert) {
        static final List<String> MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

        /** The server's certificate is checked: against rootCert, or the JDBC driver's default ~/.postgresql/root.crt. */
        public boolean verifies() {
            return sslMode.startsWith("verify-");
        }

        /** The PostgreSQL JDBC driver's properties for this. */
        public Map<String, String> jdbcProperties() {
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("sslmode", sslMode);
            rootCert.ifPresent(cert -> properties.put("sslrootcert", cert.toAbsolutePath().toString()));
            return properties;
        }
    }

    /**
     * @param maxBlockMs longest the capture's producer waits for room in its buffer, or for the broker's metadata, and the
     *                   capture for Kafka's answers when what awaits them reaches its bound (capture/InFlightBudget)
     * @param deliveryTimeoutMs longest it keeps sending a change the broker does not acknowledge
     * @param maxRecordBytes the largest change record the capture publishes and the embedded broker accepts
     * @param replicationFactor copies of each topic the pipeline creates; empty: the cluster's default
     * @param partitions the partitions of each change topic and of the transaction topic; a change goes to its key's one
     */
    public record Kafka(Optional<String> bootstrapServers, int embeddedPort, String topicPrefix, String consumerGroup,
                        int maxBlockMs, int deliveryTimeoutMs, int maxRecordBytes, Optional<Short> replicationFactor,
                        int partitions, String compression, KafkaSecurity security) {
        public boolean embedded() {
            return bootstrapServers.isEmpty();
        }

        /** What every Kafka client of the pipeline is made with: where the cluster is, and how to speak to it. */
        public Map<String, Object> clientProperties(String bootstrap) {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("bootstrap.servers", bootstrap);
            properties.putAll(security.clientProperties());
            return properties;
        }

        /** Where Debezium sends the BEGIN and END marker of each transaction. */
        public String transactionTopic() {
            return topicPrefix + ".transaction";
        }

        /** Debezium's topic naming: prefix.schema.table. */
        public String topicFor(TableId table) {
            return topicPrefix + "." + table.schema() + "." + table.name();
        }
    }

    /** Where and how to poll OpenSky; the credentials' secret stays out of {@link #toString()}. */
    public record OpenSky(boolean pollEnabled, Optional<String> baseUrl, int pollIntervalMs, int staleAfterSeconds,
                          Optional<ClientCredentials> credentials, URI tokenUrl, Optional<BoundingBox> bbox, boolean extended,
                          int dailyCredits, int responseTimeoutMs, int maxBackoffMs, Optional<Path> recordDir,
                          Optional<Path> replayDir, int simulatorPort, int simulatorAircraft, long simulatorSeed) {
        public boolean simulated() {
            return baseUrl.isEmpty();
        }

        /** The query of each {@code /states/all} call: the bounding box and extended=1, as configured. */
        public String statesQuery() {
            return Stream.concat(bbox.map(BoundingBox::query).stream(), extended ? Stream.of("extended=1") : Stream.empty())
                    .collect(Collectors.joining("&"));
        }

        public CreditBudget creditBudget() {
            return CreditBudget.of(bbox, dailyCredits);
        }
    }

    /**
     * @param transactionBoundaries whether each source transaction is loaded whole, in one warehouse transaction
     * @param maxTransactionChanges the most changes held back until their transactions are complete; a larger
     *     transaction is loaded in parts
     * @param consumers the loader's Kafka consumers in this process, each on a thread of its own with a share of the
     *     partitions
     * @param loadEnabled whether this process loads the warehouse at all (flightcdc.load.enabled); without it, it
     *     opens no warehouse, and loaders elsewhere read what it captures
     * @param postgres the PostgreSQL database loaded, with type postgres
     * @param duckdbMemoryLimit DuckDB's memory_limit for the DuckDB file (e.g. 64MB); empty for DuckDB's own default
     */
    public record Warehouse(Type type, Path duckdbPath, int maxBatch, int maxWaitMs, int retryDelayMs,
                            boolean transactionBoundaries, int maxTransactionChanges, int consumers, boolean loadEnabled,
                            Optional<Postgres> postgres, Optional<String> duckdbMemoryLimit) {

        /**
         * A PostgreSQL database loaded as the warehouse (type postgres), and as whom. Several loader processes may load
         * it at once. The password prints as {@value Secret#HIDDEN}.
         */
        public record Postgres(String jdbcUrl, String user, Secret password) {
        }

        /** Where the loader writes: the setting's values are the constants' names in lower case, _ as -. */
        public enum Type {
            /** The embedded DuckDB file. */
            DUCKDB,
            /** Snowflake through Snowpipe Streaming: a raw change table, the current state derived in Snowflake. */
            SNOWFLAKE_STREAMING,
            /** Snowflake through JDBC: each batch staged and merged, with its offsets, in one transaction. */
            SNOWFLAKE_MERGE,
            /** A PostgreSQL database, loaded as Snowflake's JDBC MERGE mode is. */
            POSTGRES;

            public String setting() {
                return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            }

            public boolean snowflake() {
                return this == SNOWFLAKE_STREAMING || this == SNOWFLAKE_MERGE;
            }
        }

        /**
         * How much Kafka may hand the loader of one partition per fetch: 1 KiB per change of a full batch, about a batch
         * of flight_state changes (1.0–1.5 KiB each in Kafka), 1 MiB at least. While a load runs, Camel hands the route
         * no more than the next poll brings (its batching interval counts from the start of a load, and a load takes
         * longer), so a fetch of less than a batch makes smaller loads. The consumer holds up to two fetches' responses
         * whole while their records wait: at 2 KiB per change they took 40 MB of the heap. Compressed (lz4, as shipped), a
         * change takes about a seventh of that and a fetch brings up to some seven batches: sized for compressed changes
         * (160 bytes each) the bench ran end to end at 13,854 changes/s against 14,040, with no less memory (medians of
         * three rounds taking turns, 52d2032). load.TransactionBoundaries holds on when one topic runs that far ahead.
         */
        public int fetchBytesPerPartition() {
            return (int) Math.min(Integer.MAX_VALUE, Math.max(1L << 20, (long) maxBatch * 1024));
        }
    }

    public record Monitor(int intervalMs, int retainedWalWarnMb, int consumerLagWarn) {
    }

    /**
     * The pipeline's own HTTP server: health, Prometheus metrics and the dashboard, all read-only.
     *
     * @param host the address it listens on: loopback unless the operator opens it up
     * @param port 0 for any free port
     * @param queryTimeout how long a query of the dashboard's console may run before it is cancelled
     * @param consoleMaxRows the most rows the console returns of one query; it says when there were more
     * @param sampleInterval how often the dashboard's pipeline view reads the pipeline's meters
     * @param timelineWindow how far back the pipeline view keeps those readings, in memory
     */
    public record Http(boolean enabled, String host, int port, Duration queryTimeout, int consoleMaxRows,
                       Duration sampleInterval, Duration timelineWindow) {

        /** Read on its own too: Camel Main sets its server up before the pipeline's settings are read. */
        public static Http from(Function<String, Optional<String>> properties) {
            SettingsReader r = new SettingsReader(properties);
            Http http = new Http(r.bool("flightcdc.http.enabled"),
                    r.matching("flightcdc.http.host", "[A-Za-z0-9.:\\[\\]-]+", "a host name or IP address to listen on"),
                    r.intInRange("flightcdc.http.port", 0, 65535),
                    Duration.ofMillis(r.intInRange("flightcdc.http.query-timeout-ms", 100, 3_600_000)),
                    r.intInRange("flightcdc.http.console-max-rows", 1, 1_000_000),
                    Duration.ofMillis(r.intInRange("flightcdc.http.sample-interval-ms", 100, 600_000)),
                    Duration.ofMinutes(r.intInRange("flightcdc.http.timeline-minutes", 1, 24 * 60)));
            if (http.samplesKept() > 100_000) {
                throw new InvalidSettingException("flightcdc.http.timeline-minutes", "keeps " + http.samplesKept()
                        + " samples of flightcdc.http.sample-interval-ms each; at most 100000: sample less often or keep less");
            }
            return http;
        }

        public String url() {
            return urlAt(port);
        }

        /** The URL on {@code boundPort}: the one the system picked when {@link #port()} is 0. */
        public String urlAt(int boundPort) {
            return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
        }

        /** How many samples the pipeline view keeps: its window's worth. */
        public int samplesKept() {
            return (int) Math.max(1, timelineWindow.toMillis() / sampleInterval.toMillis());
        }
    }

    /**
     * @param enabled whether this process captures the source's changes into Kafka at all (flightcdc.capture.enabled);
     *     without it, another process captures, and this one loads (or polls) what that one shares with it
     * @param positionStore where Debezium's position in the WAL is kept between runs
     * @param snapshot who reads the rows the captured tables hold at the first start (flightcdc.capture.snapshot)
     * @param snapshotReaders how many connections read a direct snapshot at once
     */
    public record Capture(boolean enabled, PositionStore positionStore, Snapshot snapshot, int snapshotReaders) {

        /** The setting's values are the constants' names in lower case. */
        public enum Snapshot {
            /** Debezium reads the rows and publishes each to Kafka, from where the loader loads it like any change. */
            DEBEZIUM,
            /**
             * The pipeline reads the rows itself, at the replication slot's starting point, straight into the warehouse
             * (snapshot/DirectSnapshot): several times faster, but Kafka never holds them.
             */
            DIRECT
        }

        /** The setting's values are the constants' names in lower case. */
        public enum PositionStore {
            /** {@code <data-dir>/debezium-offsets.dat}: the embedded default, for one instance with a lasting data folder. */
            FILE,
            /** A table in the source's pipeline schema, beside the slot: for containers and standbys. */
            SOURCE
        }
    }

    /**
     * Several instances with the same settings, of which one runs the pipeline and the others stand by.
     *
     * @param enabled whether this instance first waits for the lead (source/LeaderLock)
     * @param lease how long a leader may go unheard by the source before its lead ends and a standby takes over
     */
    public record Failover(boolean enabled, Duration lease) {

        /** How often the leader makes sure it still leads: well within the lease, so that it is never idle for one. */
        public Duration checkInterval() {
            return lease.dividedBy(4);
        }
    }

    /** The change topic of each captured table, in the order of {@code flightcdc.source.tables}. */
    public List<String> changeTopics() {
        return source.tables().stream().map(kafka::topicFor).toList();
    }

    /** Where Debezium keeps its position in the WAL: its presence means the pipeline has run before. */
    public Path debeziumOffsets() {
        return dataDir.resolve(DEBEZIUM_OFFSETS_FILE);
    }

    private static Tls sourceTls(SettingsReader r, Optional<String> jdbcUrl) {
        // The JDBC driver would let the URL's own ssl parameters win, and Debezium never reads the URL: one place only.
        jdbcUrl.flatMap(url -> Arrays.stream(url.replaceFirst("^[^?]*\\??", "").split("&"))
                        .map(parameter -> parameter.replaceFirst("=.*", "")).filter(name -> name.startsWith("ssl")).findFirst())
                .ifPresent(name -> {
                    throw new InvalidSettingException("flightcdc.source.jdbc-url", "carries " + name + ": set TLS with"
                            + " flightcdc.source.sslmode and flightcdc.source.sslrootcert instead, which the capture reads too");
                });
        String mode = r.required("flightcdc.source.sslmode");
        if (!Tls.MODES.contains(mode)) {
            throw new InvalidSettingException("flightcdc.source.sslmode", "must be one of " + Tls.MODES + ", got '" + mode + "'");
        }
        if (jdbcUrl.isEmpty() && List.of("require", "verify-ca", "verify-full").contains(mode)) {
            throw new InvalidSettingException("flightcdc.source.sslmode", "is " + mode + " but the embedded PostgreSQL"
                    + " serves no TLS: set flightcdc.source.jdbc-url to your server's, or this to prefer");
        }
        Optional<Path> rootCert = r.optional("flightcdc.source.sslrootcert").map(Path::of);
        Tls tls = new Tls(mode, rootCert);
        if (rootCert.isPresent()) {
            if (!tls.verifies()) {
                throw new InvalidSettingException("flightcdc.source.sslrootcert", "is set but flightcdc.source.sslmode is "
                        + mode + ": the server's certificate is checked only with verify-ca or verify-full");
            }
            if (!Files.isRegularFile(rootCert.get()) || !Files.isReadable(rootCert.get())) {
                throw new InvalidSettingException("flightcdc.source.sslrootcert", "names no readable file: "
                        + rootCert.get().toAbsolutePath());
            }
        }
        return tls;
    }

    /** OpenSky's client id and secret: both for OAuth2, neither for anonymous access. */
    private static Optional<ClientCredentials> clientCredentials(SettingsReader r) {
        Optional<String> id = r.optional("flightcdc.opensky.client-id");
        Optional<String> secret = r.optional("flightcdc.opensky.client-secret");
        if (id.isPresent() != secret.isPresent()) {
            throw new InvalidSettingException(id.isPresent() ? "flightcdc.opensky.client-secret" : "flightcdc.opensky.client-id",
                    "is empty but " + (id.isPresent() ? "flightcdc.opensky.client-id" : "flightcdc.opensky.client-secret")
                    + " is set: set both for OAuth2, or neither for anonymous access");
        }
        return id.map(clientId -> new ClientCredentials(clientId, secret.orElseThrow()));
    }

    private static URI httpUrl(SettingsReader r, String key) {
        String url = r.required(key);
        if (!url.matches("https?://[^\\s]+")) {
            throw new InvalidSettingException(key, "must be an http(s) URL, got '" + url + "'");
        }
        try {
            return URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(key, "must be an http(s) URL, got '" + url + "'");
        }
    }

    /** Reads and validates all settings; {@code properties} resolves a key to its configured value. */
    public static PipelineSettings from(Function<String, Optional<String>> properties) {
        SettingsReader r = new SettingsReader(properties);
        Path dataDir = Path.of(r.required("flightcdc.data-dir"));

        Optional<String> jdbcUrl = r.optional("flightcdc.source.jdbc-url");
        jdbcUrl.filter(url -> !url.startsWith("jdbc:postgresql://")).ifPresent(url -> {
            throw new InvalidSettingException("flightcdc.source.jdbc-url",
                    "must look like jdbc:postgresql://host:port/database, got '" + Secret.redactUrls(url) + "'");
        });
        List<TableId> tables = Arrays.stream(r.required("flightcdc.source.tables").split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> TableId.parse(s).orElseThrow(() -> new InvalidSettingException("flightcdc.source.tables",
                        "must list tables as schema.table, got '" + s + "'")))
                .toList();
        Source source = new Source(jdbcUrl,
                r.required("flightcdc.source.user"),
                Secret.of(r.required("flightcdc.source.password")),
                r.intInRange("flightcdc.source.embedded-port", 1, 65535),
                tables,
                r.matching("flightcdc.source.slot", PG_IDENTIFIER, "a PostgreSQL slot name (lower-case letters, digits, _)"),
                r.matching("flightcdc.source.publication", PG_IDENTIFIER, "a lower-case PostgreSQL identifier"),
                r.intInRange("flightcdc.source.heartbeat-interval-ms", 0, 3_600_000),
                sourceTls(r, jdbcUrl),
                r.matching("flightcdc.source.schema", PG_IDENTIFIER, "a lower-case PostgreSQL identifier"));

        Kafka kafka = new Kafka(r.optional("flightcdc.kafka.bootstrap-servers"),
                r.intInRange("flightcdc.kafka.embedded-port", 1, 65534),
                r.matching("flightcdc.kafka.topic-prefix", "[A-Za-z0-9._-]+", "a Kafka topic name prefix"),
                r.required("flightcdc.kafka.consumer-group"),
                r.intInRange("flightcdc.kafka.max-block-ms", 100, 3_600_000),
                // Kafka refuses less than its request timeout (30 s) plus the capture's linger (20 ms).
                r.intInRange("flightcdc.kafka.delivery-timeout-ms", 30_020, Integer.MAX_VALUE),
                r.intInRange("flightcdc.kafka.max-record-bytes", 1 << 20, 256 << 20),
                r.optional("flightcdc.kafka.replication-factor")
                        .map(ignored -> (short) r.intInRange("flightcdc.kafka.replication-factor", 1, Short.MAX_VALUE)),
                r.intInRange("flightcdc.kafka.partitions", 1, 1024),
                r.matching("flightcdc.kafka.compression", "none|gzip|snappy|lz4|zstd", "none, gzip, snappy, lz4 or zstd"),
                KafkaSecurity.from(r, r.optional("flightcdc.kafka.bootstrap-servers").isEmpty()));

        Optional<ClientCredentials> credentials = clientCredentials(r);
        OpenSky openSky = new OpenSky(r.bool("flightcdc.opensky.poll-enabled"),
                r.optional("flightcdc.opensky.base-url").map(url -> url.replaceAll("/+$", "")),
                r.intInRange("flightcdc.opensky.poll-interval-ms", 100, 86_400_000),
                r.intInRange("flightcdc.opensky.stale-after-seconds", 1, 86_400 * 30),
                credentials,
                httpUrl(r, "flightcdc.opensky.token-url"),
                r.optional("flightcdc.opensky.bbox").map(box -> {
                    try {
                        return BoundingBox.parse(box);
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSettingException("flightcdc.opensky.bbox", e.getMessage() + (e.getMessage().contains(box)
                                ? "" : ", got '" + box + "'"));
                    }
                }),
                r.bool("flightcdc.opensky.extended"),
                r.optional("flightcdc.opensky.daily-credits").isPresent()
                        ? r.intInRange("flightcdc.opensky.daily-credits", 1, 10_000_000)
                        : credentials.isPresent() ? CreditBudget.USER_DAILY_CREDITS : CreditBudget.ANONYMOUS_DAILY_CREDITS,
                r.intInRange("flightcdc.opensky.response-timeout-ms", 100, 600_000),
                r.intInRange("flightcdc.opensky.max-backoff-ms", 100, 86_400_000),
                r.optional("flightcdc.opensky.record-dir").map(Path::of),
                r.optional("flightcdc.opensky.replay-dir").map(Path::of),
                r.intInRange("flightcdc.simulator.port", 0, 65535),
                r.intInRange("flightcdc.simulator.aircraft", 0, 1_000_000),
                r.longValue("flightcdc.simulator.seed"));
        openSky.baseUrl().filter(url -> !url.matches("https?://.+")).ifPresent(url -> {
            throw new InvalidSettingException("flightcdc.opensky.base-url", "must be an http(s) URL, got '" + url + "'");
        });
        if (openSky.replayDir().isPresent() && openSky.baseUrl().isPresent()) {
            throw new InvalidSettingException("flightcdc.opensky.replay-dir", "serves a recording in place of the API:"
                    + " leave flightcdc.opensky.base-url empty to replay, or this empty to call " + openSky.baseUrl().get());
        }

        String typeSetting = r.required("flightcdc.warehouse.type");
        Warehouse.Type type = Arrays.stream(Warehouse.Type.values()).filter(t -> t.setting().equals(typeSetting)).findFirst()
                .orElseThrow(() -> new InvalidSettingException("flightcdc.warehouse.type", "must be one of "
                        + Arrays.stream(Warehouse.Type.values()).map(Warehouse.Type::setting).toList() + ", got '" + typeSetting + "'"));
        Warehouse warehouse = new Warehouse(type, Path.of(r.required("flightcdc.warehouse.duckdb-path")),
                r.intInRange("flightcdc.load.max-batch", 1, 1_000_000),
                r.intInRange("flightcdc.load.max-wait-ms", 1, 600_000),
                r.intInRange("flightcdc.load.retry-delay-ms", 1, 600_000),
                r.bool("flightcdc.load.transaction-boundaries"),
                r.intInRange("flightcdc.load.max-transaction-changes", 1, 10_000_000),
                r.intInRange("flightcdc.load.consumers", 1, 1024),
                r.bool("flightcdc.load.enabled"),
                type == Warehouse.Type.POSTGRES ? Optional.of(postgresWarehouse(r, source)) : Optional.empty(),
                r.optional("flightcdc.warehouse.duckdb-memory-limit").map(limit -> {
                    if (!limit.matches("(?i)[0-9]+(\\.[0-9]+)? ?(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)")) {
                        throw new InvalidSettingException("flightcdc.warehouse.duckdb-memory-limit",
                                "must be a size such as 64MB or 2GB, got '" + limit + "'");
                    }
                    return limit;
                }));
        if (warehouse.consumers() > kafka.partitions()) {
            throw new InvalidSettingException("flightcdc.load.consumers", "is " + warehouse.consumers() + ", more than the "
                    + kafka.partitions() + " partition" + (kafka.partitions() == 1 ? "" : "s") + " of each topic"
                    + " (flightcdc.kafka.partitions): a consumer with no partition would idle. Give the topics at least as"
                    + " many partitions, or run fewer consumers");
        }

        Monitor monitor = new Monitor(r.intInRange("flightcdc.monitor.interval-ms", 100, 86_400_000),
                r.intInRange("flightcdc.monitor.retained-wal-warn-mb", 0, 100_000_000),
                r.intInRange("flightcdc.monitor.consumer-lag-warn", 0, Integer.MAX_VALUE));

        // Read only when used: the embedded default needs no Snowflake account.
        Optional<SnowflakeSettings> snowflake = type.snowflake() ? Optional.of(SnowflakeSettings.from(properties)) : Optional.empty();

        String storeSetting = r.required("flightcdc.capture.position-store");
        String snapshotSetting = r.required("flightcdc.capture.snapshot");
        Capture capture = new Capture(r.bool("flightcdc.capture.enabled"), Arrays.stream(Capture.PositionStore.values())
                .filter(store -> store.name().equalsIgnoreCase(storeSetting)).findFirst()
                .orElseThrow(() -> new InvalidSettingException("flightcdc.capture.position-store",
                        "must be file or source, got '" + storeSetting + "'")),
                Arrays.stream(Capture.Snapshot.values()).filter(mode -> mode.name().equalsIgnoreCase(snapshotSetting))
                        .findFirst().orElseThrow(() -> new InvalidSettingException("flightcdc.capture.snapshot",
                                "must be debezium or direct, got '" + snapshotSetting + "'")),
                r.intInRange("flightcdc.capture.snapshot-readers", 1, 64));
        if (capture.enabled() && capture.snapshot() == Capture.Snapshot.DIRECT) {
            // The capture writes the snapshot's rows into the warehouse, through the loader's own writer.
            if (!warehouse.loadEnabled()) {
                throw new InvalidSettingException("flightcdc.capture.snapshot", "is direct, which loads the snapshot's rows"
                        + " into the warehouse from the capturing process, but this one does not load"
                        + " (flightcdc.load.enabled=false). Fix: snapshot with debezium, or capture and load in one process");
            }
            if (type == Warehouse.Type.SNOWFLAKE_STREAMING) {
                throw new InvalidSettingException("flightcdc.capture.snapshot", "is direct, which loads with the warehouse's"
                        + " MERGE writer, but flightcdc.warehouse.type is snowflake-streaming. Fix: snapshot with debezium,"
                        + " or load with snowflake-merge");
            }
        }

        Failover failover = new Failover(r.bool("flightcdc.failover.enabled"),
                Duration.ofMillis(r.intInRange("flightcdc.failover.lease-ms", 2_000, 600_000)));
        if (failover.enabled()) {
            // Every instance must find what the one before it left: in servers they share, not in a folder of its own.
            if (source.embedded()) {
                throw new InvalidSettingException("flightcdc.failover.enabled", "needs a source the instances share, where"
                        + " the lead is held: set flightcdc.source.jdbc-url (the embedded PostgreSQL is each instance's own)");
            }
            if (kafka.embedded()) {
                throw new InvalidSettingException("flightcdc.failover.enabled", "needs a Kafka the instances share: set"
                        + " flightcdc.kafka.bootstrap-servers (the embedded broker is each instance's own)");
            }
            if (capture.positionStore() == Capture.PositionStore.FILE) {
                throw new InvalidSettingException("flightcdc.failover.enabled", "needs the capture's position where the"
                        + " instance that takes over finds it: set flightcdc.capture.position-store=source (a file in the"
                        + " data folder holds only its own instance's)");
            }
        }

        refuseStagesThatCannotMeet(source, kafka, openSky, warehouse, capture, failover);

        return new PipelineSettings(dataDir, source, kafka, openSky, warehouse, snowflake, monitor, capture, failover,
                Http.from(properties));
    }

    /**
     * The PostgreSQL database of {@code flightcdc.warehouse.type=postgres}. It may be on the source's server, but not
     * the source's database: the warehouse names its tables as the source does (flight_state, ...).
     */
    private static Warehouse.Postgres postgresWarehouse(SettingsReader r, Source source) {
        String url = r.required("flightcdc.warehouse.postgres-url");
        Properties where = url.startsWith("jdbc:postgresql:") ? org.postgresql.Driver.parseURL(url, new Properties()) : null;
        if (where == null) {
            throw new InvalidSettingException("flightcdc.warehouse.postgres-url", "must be a PostgreSQL JDBC URL such as"
                    + " jdbc:postgresql://host:5432/analytics, got '" + Secret.redactUrls(url) + "'");
        }
        String sourceUrl = source.jdbcUrl().orElse("jdbc:postgresql://127.0.0.1:" + source.embeddedPort() + "/postgres");
        Properties sourceWhere = org.postgresql.Driver.parseURL(sourceUrl, new Properties());
        if (sourceWhere != null && sameDatabase(where, sourceWhere)) {
            throw new InvalidSettingException("flightcdc.warehouse.postgres-url", "names the source's database ("
                    + Secret.redactUrls(url) + "), whose tables the warehouse's would collide with: load another database,"
                    + " on this server or another (CREATE DATABASE analytics)");
        }
        return new Warehouse.Postgres(url, r.required("flightcdc.warehouse.postgres-user"),
                Secret.of(r.string("flightcdc.warehouse.postgres-password", "")));
    }

    private static boolean sameDatabase(Properties a, Properties b) {
        return local(a.getProperty("PGHOST")).equals(local(b.getProperty("PGHOST")))
                && String.valueOf(a.getProperty("PGPORT")).equals(String.valueOf(b.getProperty("PGPORT")))
                && String.valueOf(a.getProperty("PGDBNAME")).equals(String.valueOf(b.getProperty("PGDBNAME")));
    }

    /** The loopback under its usual names, as one. */
    private static String local(String host) {
        String h = String.valueOf(host).toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.startsWith("127.") ? "loopback" : h;
    }

    /**
     * A process may run only some of the stages, when others run the rest: what it captures must reach the loaders
     * through a Kafka they share, and a loader without the capture must read the source and the Kafka the capture uses.
     */
    private static void refuseStagesThatCannotMeet(Source source, Kafka kafka, OpenSky openSky, Warehouse warehouse,
                                                   Capture capture, Failover failover) {
        if (!capture.enabled() && !warehouse.loadEnabled() && !openSky.pollEnabled()) {
            throw new InvalidSettingException("flightcdc.capture.enabled", "is false, and so are flightcdc.load.enabled and"
                    + " flightcdc.opensky.poll-enabled: this process would run nothing. Turn one of them on");
        }
        if (capture.enabled()) {
            return;
        }
        // The embedded servers are this process's own: no other process captures from or into them.
        if (source.embedded()) {
            throw new InvalidSettingException("flightcdc.capture.enabled", "is false, so another process captures: set"
                    + " flightcdc.source.jdbc-url to the PostgreSQL it captures (this process reads the captured tables'"
                    + " columns there), not the embedded one, which only this process would use");
        }
        if (kafka.embedded()) {
            throw new InvalidSettingException("flightcdc.capture.enabled", "is false, so another process captures: set"
                    + " flightcdc.kafka.bootstrap-servers to the Kafka it publishes to, not the embedded broker, into which"
                    + " nothing would ever be published");
        }
        if (failover.enabled()) {
            throw new InvalidSettingException("flightcdc.failover.enabled", "elects the one process that captures, but"
                    + " flightcdc.capture.enabled is false. Loaders need no failover: the consumer group gives a stopped"
                    + " loader's partitions to the others. Turn one of the two off");
        }
    }
}
