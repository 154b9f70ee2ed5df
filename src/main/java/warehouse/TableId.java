package warehouse;

import java.util.Optional;

/** A source table, schema-qualified, as PostgreSQL and Debezium name it. */
public record TableId(String schema, String name) {

    public static Optional<TableId> parse(String qualified) {
        String[] parts = qualified.split("\\.");
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new TableId(parts[0], parts[1]));
    }

    @Override
    public String toString() {
        return schema + "." + name;
    }
}
