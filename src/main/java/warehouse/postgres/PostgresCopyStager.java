package warehouse.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import warehouse.Dialect;
import warehouse.MergeSqlGenerator;
import warehouse.MetadataColumn;
import warehouse.StageRows.StageRow;
import warehouse.TableSchema;
import warehouse.jdbc.Stager;

/**
 * Stages through COPY FROM STDIN in CSV, PostgreSQL's bulk path: one statement per batch, where INSERTs would bind every
 * value of every row. Each value is quoted, so that an empty text stays one and only an unquoted empty field is NULL.
 */
public final class PostgresCopyStager implements Stager {

    /** Rows are sent in pieces of about this many bytes, so that a large batch is never held twice in memory. */
    private static final int PIECE = 1 << 20;

    private final MergeSqlGenerator sql;
    private final Dialect dialect;

    public PostgresCopyStager(MergeSqlGenerator sql, Dialect dialect) {
        this.sql = sql;
        this.dialect = dialect;
    }

    @Override
    public void stage(Connection connection, TableSchema table, List<StageRow> rows) throws SQLException {
        String copy = "COPY " + dialect.quote(sql.stageTable(table)) + " ("
                + MergeSqlGenerator.stageColumns(table).stream().map(dialect::quote).collect(Collectors.joining(", "))
                + ") FROM STDIN WITH (FORMAT csv)";
        CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copy);
        try {
            StringBuilder piece = new StringBuilder(PIECE + 8192);
            for (StageRow row : rows) {
                boolean first = true;
                for (MetadataColumn c : MetadataColumn.STAGE) {
                    Object value = c.value(row.change());
                    first = field(piece, value == null ? null : value.toString(), first);
                }
                for (String value : row.values()) {
                    first = field(piece, value, first);
                }
                field(piece, row.unavailable(), first);
                piece.append('\n');
                if (piece.length() >= PIECE) {
                    send(in, piece);
                }
            }
            send(in, piece);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** Appends one CSV field: nothing for NULL, else the value in double quotes, its own doubled. */
    private static boolean field(StringBuilder piece, String value, boolean first) {
        if (!first) {
            piece.append(',');
        }
        if (value != null) {
            piece.append('"');
            for (int i = 0; i < value.length(); i++) {
                char ch = value.charAt(i);
                if (ch == '"') {
                    piece.append('"');
                }
                piece.append(ch);
            }
            piece.append('"');
        }
        return false;
    }

    private static void send(CopyIn in, StringBuilder piece) throws SQLException {
        if (piece.isEmpty()) {
            return;
        }
        byte[] bytes = piece.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(bytes, 0, bytes.length);
        piece.setLength(0);
    }
}
