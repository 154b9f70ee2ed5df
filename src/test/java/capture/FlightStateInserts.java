package capture;

import java.nio.charset.StandardCharsets;

/**
 * flight_state inserts as the capture publishes them: a key, and a Debezium envelope of about 650 bytes of JSON that
 * compresses as the real ones do. For AcknowledgedKafkaPublisherTest and bench/scripts/producer-stall.
 */
public final class FlightStateInserts {

    private FlightStateInserts() {
    }

    public static byte[] key(int n) {
        return ("{\"icao24\":\"" + icao24(n) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] value(int n) {
        return ("{\"before\":null,\"after\":{\"icao24\":\"" + icao24(n) + "\",\"callsign\":\"SNP" + (n % 99_991)
                + "\",\"origin_country\":\"France\",\"time_position\":" + (1_733_450_000 + n) + ",\"last_contact\":"
                + (1_733_450_000 + n) + ",\"longitude\":" + (n % 360 - 180) + ".123456,\"latitude\":" + (n % 180 - 90)
                + ".654321,\"baro_altitude\":" + (n % 12_000) + ".5,\"on_ground\":false,\"velocity\":231.4,\"true_track\":"
                + (n % 360) + ".0,\"vertical_rate\":0.0,\"sensors\":null,\"geo_altitude\":10972.8,\"squawk\":\"1200\","
                + "\"spi\":false,\"position_source\":0},\"source\":{\"version\":\"3.4.0.Final\",\"connector\":\"postgresql\","
                + "\"name\":\"flightcdc\",\"ts_ms\":1733450000000,\"db\":\"postgres\",\"sequence\":\"[null,\\\""
                + (123_456 + 200L * n) + "\\\"]\",\"schema\":\"public\",\"table\":\"flight_state\",\"txId\":"
                + (1000 + n / 100) + ",\"lsn\":" + (123_456 + 200L * n) + "},\"op\":\"c\",\"ts_ms\":1733450000001}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String icao24(int n) {
        return Integer.toHexString(0x100000 + n % 0xfffff);
    }
}
