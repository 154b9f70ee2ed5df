package e2e;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Records every change made to the source's flight_state, in the source's own transaction, into a
 * table the pipeline does not capture: what the warehouse's history must hold, no more and no less.
 * A change is recorded as Debezium emits it (op c/u/d, key, the row's callsign); a primary-key
 * update is a delete of the old key and a create of the new one.
 */
final class ChangeAudit {

    private static final String INSTALL = """
            CREATE TABLE change_audit (
                seq      bigserial PRIMARY KEY,
                op       text NOT NULL,
                icao24   text NOT NULL,
                callsign text
            );
            CREATE FUNCTION audit_flight_state() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    INSERT INTO change_audit (op, icao24, callsign) VALUES ('c', NEW.icao24, NEW.callsign);
                ELSIF TG_OP = 'DELETE' THEN
                    INSERT INTO change_audit (op, icao24, callsign) VALUES ('d', OLD.icao24, OLD.callsign);
                ELSIF OLD.icao24 IS DISTINCT FROM NEW.icao24 THEN
                    INSERT INTO change_audit (op, icao24, callsign)
                    VALUES ('d', OLD.icao24, OLD.callsign), ('c', NEW.icao24, NEW.callsign);
                ELSE
                    INSERT INTO change_audit (op, icao24, callsign) VALUES ('u', NEW.icao24, NEW.callsign);
                END IF;
                RETURN NULL;
            END $$;
            CREATE TRIGGER audit_flight_state AFTER INSERT OR UPDATE OR DELETE ON flight_state
                FOR EACH ROW EXECUTE FUNCTION audit_flight_state();
            """;

    private ChangeAudit() {
    }

    static void install(Connection source) throws SQLException {
        try (Statement s = source.createStatement()) {
            s.execute(INSTALL);
        }
    }

    /** Each change recorded, as "op icao24 callsign", with how often it happened. */
    static Map<String, Long> recorded(Connection source) throws SQLException {
        return multiset(source, "SELECT op, icao24, callsign FROM change_audit");
    }

    /** The same for the warehouse's history. */
    static Map<String, Long> loaded(Connection warehouse) throws SQLException {
        return multiset(warehouse, "SELECT _op, icao24, callsign FROM flight_state_history");
    }

    private static Map<String, Long> multiset(Connection c, String sql) throws SQLException {
        Map<String, Long> changes = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                changes.merge(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3), 1L, Long::sum);
            }
        }
        return changes;
    }
}
