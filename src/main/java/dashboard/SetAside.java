package dashboard;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What the pipeline set aside instead of carrying, with the reasons: the Kafka records the loader could not apply
 * (the warehouse's dead-letter table) and the state vectors the poll refused (the source's rejected_state). Each is
 * kept whole where it is; the page shows how many and the newest.
 */
public final class SetAside {

    static final int NEWEST = 20;

    private final WarehouseReader warehouse;
    private final Optional<DataSource> pollSource;

    /** @param pollSource the source database, when it holds the poll's tables */
    public SetAside(WarehouseReader warehouse, Optional<DataSource> pollSource) {
        this.warehouse = warehouse;
        this.pollSource = pollSource;
    }

    /** A record the loader set aside: when, where it was in Kafka, the table it was a change of, and why. */
    public record DeadLetter(Long at, String table, String topic, int partition, long offset, String reason) {
    }

    /** A state vector the poll refused, and why. */
    public record Rejection(Long at, String reason) {
    }

    /**
     * @param rejected null when the pipeline does not poll (no rejected_state)
     */
    public record Now(long deadLetters, List<DeadLetter> newestDeadLetters, Long rejected, List<Rejection> newestRejections) {
    }

    public Now now() throws SQLException {
        long deadLetters;
        List<DeadLetter> newestDeadLetters = new ArrayList<>();
        try (Connection c = warehouse.connect(); Statement s = c.createStatement()) {
            deadLetters = count(s, "SELECT count(*) FROM " + warehouse.deadLetters());
            try (ResultSet rs = s.executeQuery("SELECT dead_at, source_table, kafka_topic, kafka_partition, kafka_offset,"
                    + " reason FROM " + warehouse.deadLetters() + " ORDER BY dead_at DESC LIMIT " + NEWEST)) {
                while (rs.next()) {
                    newestDeadLetters.add(new DeadLetter(Rows.millis(rs, 1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getLong(5), rs.getString(6)));
                }
            }
        }
        if (pollSource.isEmpty()) {
            return new Now(deadLetters, newestDeadLetters, null, List.of());
        }
        List<Rejection> newestRejections = new ArrayList<>();
        long rejected;
        try (Connection c = pollSource.get().getConnection(); Statement s = c.createStatement()) {
            rejected = count(s, "SELECT count(*) FROM public.rejected_state");
            try (ResultSet rs = s.executeQuery("SELECT received_at, reason FROM public.rejected_state ORDER BY id DESC LIMIT "
                    + NEWEST)) {
                while (rs.next()) {
                    newestRejections.add(new Rejection(Rows.millis(rs, 1), rs.getString(2)));
                }
            }
        }
        return new Now(deadLetters, newestDeadLetters, rejected, newestRejections);
    }

    private static long count(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
