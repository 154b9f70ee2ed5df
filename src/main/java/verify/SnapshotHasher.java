package verify;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import warehouse.Column;
import warehouse.ColumnType;
import warehouse.TableSchema;

/**
 * Streams the current rows of one copy of a table, in whatever order the database returns them,
 * and gives each row's primary key and a 64-bit hash of all its columns. The table's checksum is
 * the sum of the row hashes: it does not depend on row order, and unlike xor two equal rows do
 * not cancel out.
 *
 * <p>A row hash is the first 64 bits of SHA-256 over the row's normalised values (see
 * {@link ValueNormaliser}) written with a type tag and, for variable-length values, a length, so
 * that neither 1 and '1' nor ('ab', 'c') and ('a', 'bc') hash alike.
 */
public final class SnapshotHasher {

    /** Rows PostgreSQL sends per round trip instead of the whole result at once. */
    private static final int FETCH_SIZE = 10_000;

    private final TableSchema table;
    private final JsonForm jsonForm;
    private final int[] keyIndexes;
    private final MessageDigest digest;
    private final DataOutputStream encoder;

    /** Receives each row as it is read. */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(List<Object> key, long hash);
    }

    /** What one copy of the table adds up to. */
    public record Snapshot(long rows, long checksum) {
    }

    /** Compares json as its text. */
    public SnapshotHasher(TableSchema table) {
        this(table, JsonForm.TEXT);
    }

    /** @param jsonForm how json values are compared: the same for both copies, as the warehouse keeps them */
    public SnapshotHasher(TableSchema table, JsonForm jsonForm) {
        this.table = table;
        this.jsonForm = jsonForm;
        List<String> names = table.columns().stream().map(Column::name).toList();
        this.keyIndexes = table.primaryKey().stream().mapToInt(names::indexOf).toArray();
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        this.encoder = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), digest));
    }

    /**
     * Reads every row of the copy at {@code location} and hands each one to {@code rows}, without keeping any.
     */
    public Snapshot hashRows(TableComparison.Location location, RowConsumer rows) throws SQLException {
        Connection connection = location.connection();
        TableReading reading = location.reading();
        boolean autoCommit = connection.getAutoCommit();
        // PostgreSQL streams a result by fetch size only inside a transaction; one transaction also
        // means one consistent snapshot of the table.
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.setFetchSize(FETCH_SIZE);
            List<Column> columns = table.columns();
            Object[] values = new Object[columns.size()];
            long count = 0;
            long checksum = 0;
            try (ResultSet rs = statement.executeQuery(reading.select(table, location.name()))) {
                while (rs.next()) {
                    for (int i = 0; i < values.length; i++) {
                        Column column = columns.get(i);
                        Object value = reading.read(rs, i + 1, column);
                        values[i] = column.type() == ColumnType.JSON ? jsonForm.of(value) : value;
                    }
                    long hash = hash(values);
                    rows.accept(key(values), hash);
                    count++;
                    checksum += hash;
                }
            }
            return new Snapshot(count, checksum);
        } finally {
            connection.rollback();
            connection.setAutoCommit(autoCommit);
        }
    }

    /** A key as people read it: the value, or (value, value) for a key of several columns. */
    public String keyText(List<Object> key) {
        String joined = key.stream().map(String::valueOf).collect(Collectors.joining(", "));
        return key.size() == 1 ? joined : "(" + joined + ")";
    }

    private List<Object> key(Object[] values) {
        List<Object> key = new ArrayList<>(keyIndexes.length);
        for (int i : keyIndexes) {
            key.add(values[i]);
        }
        return key;
    }

    private long hash(Object[] values) {
        try {
            for (Object value : values) {
                write(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: the encoder writes to no stream", e);
        }
        return ByteBuffer.wrap(digest.digest()).getLong();
    }

    private void write(Object value) throws IOException {
        if (value == null) {
            encoder.writeByte(0);
        } else if (value instanceof Long l) {
            encoder.writeByte(1);
            encoder.writeLong(l);
        } else if (value instanceof Double d) {
            encoder.writeByte(2);
            encoder.writeLong(Double.doubleToLongBits(d));
        } else if (value instanceof Boolean b) {
            encoder.writeByte(3);
            encoder.writeBoolean(b);
        } else if (value instanceof Instant t) {
            encoder.writeByte(4);
            encoder.writeLong(t.getEpochSecond());
            encoder.writeInt(t.getNano());
        } else if (value instanceof LocalDateTime t) {
            encoder.writeByte(5);
            encoder.writeLong(t.toEpochSecond(ZoneOffset.UTC));
            encoder.writeInt(t.getNano());
        } else if (value instanceof LocalDate d) {
            encoder.writeByte(6);
            encoder.writeLong(d.toEpochDay());
        } else if (value instanceof BigDecimal d) {
            encoder.writeByte(7);
            encoder.writeInt(d.scale());
            writeBytes(d.unscaledValue().toByteArray());
        } else if (value instanceof List<?> items) {
            encoder.writeByte(8);
            encoder.writeInt(items.size());
            for (Object item : items) {
                write(item);
            }
        } else if (value instanceof byte[] bytes) {
            encoder.writeByte(11);
            writeBytes(bytes);
        } else if (value instanceof IntervalValue i) {
            encoder.writeByte(12);
            encoder.writeLong(i.months());
            encoder.writeLong(i.days());
            encoder.writeLong(i.micros());
        } else if (value instanceof TimeOfDay t) {
            encoder.writeByte(13);
            encoder.writeLong(t.micros());
            encoder.writeBoolean(t.offsetSeconds() != null);
            encoder.writeInt(t.offsetSeconds() == null ? 0 : t.offsetSeconds());
        } else if (value instanceof Infinite i) {
            encoder.writeByte(14);
            encoder.writeByte(i.ordinal());
        } else {
            // Text, and anything a driver hands back that has no form of its own (numeric NaN as its name).
            encoder.writeByte(value instanceof String ? 9 : 10);
            writeBytes(value.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private void writeBytes(byte[] bytes) throws IOException {
        encoder.writeInt(bytes.length);
        encoder.write(bytes);
    }
}
