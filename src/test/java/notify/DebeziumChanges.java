package notify;

/**
 * Debezium JSON envelopes of flight_state changes, as the capture publishes them: the rows before and after the
 * change (REPLICA IDENTITY FULL gives updates and deletes their row before), the source block and the operation.
 */
final class DebeziumChanges {

    private DebeziumChanges() {
    }

    static String insert(String icao24, String squawk) {
        return envelope("c", null, row(icao24, squawk));
    }

    static String update(String icao24, String squawkBefore, String squawkAfter) {
        return envelope("u", row(icao24, squawkBefore), row(icao24, squawkAfter));
    }

    static String delete(String icao24, String squawk) {
        return envelope("d", row(icao24, squawk), null);
    }

    /** A row of flight_state: callsign padded as OpenSky sends it, a position, and the squawk given (null: none). */
    static String row(String icao24, String squawk) {
        return """
                {"icao24":"%s","callsign":"AFR1234 ","origin_country":"France","latitude":48.85,"longitude":2.35,\
                "baro_altitude":10668.0,"on_ground":false,"squawk":%s}"""
                .formatted(icao24, squawk == null ? "null" : "\"" + squawk + "\"");
    }

    static String envelope(String op, String before, String after) {
        return """
                {"before":%s,"after":%s,"source":{"version":"3.4.0.Final","connector":"postgresql","name":"flightcdc",\
                "db":"postgres","schema":"public","table":"flight_state","lsn":123456},"op":"%s","ts_ms":1714557600000}"""
                .formatted(before, after, op);
    }
}
