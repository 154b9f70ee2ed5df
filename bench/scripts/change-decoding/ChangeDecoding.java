package warehouse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;

/**
 * What the loader pays to read a change's record value: Jackson's char parser over the value made into a String
 * (Kafka's StringDeserializer, as the loader read it before 2026-12-06) against its byte parser over the UTF-8 bytes
 * Kafka holds (ByteArrayDeserializer, as it reads it now). Both walk the envelope as ChangeEventDecoder does: the row
 * after into a tree, the row before skipped, the source block's fields read. Then ChangeEventDecoder.decode itself.
 * 2,000 updates of a flight state of 19 columns (about 1.3 KB each, as Debezium writes them with REPLICA IDENTITY
 * FULL), twelve rounds of 100 passes in one JVM (the first rounds are the JIT's warm-up). Run by change-decoding.sh.
 */
public class ChangeDecoding {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String update(String icao24, double velocityBefore, double velocityAfter) {
        String row = """
                {"icao24":"%s","callsign":"AFR1234 ","origin_country":"France","time_position":"2026-12-04T12:00:00Z",\
                "last_contact":"2026-12-04T12:00:00Z","polled_at":"2026-12-04T12:00:00.123456Z","longitude":2.35,\
                "latitude":48.85,"baro_altitude":10668.0,"on_ground":false,"velocity":%s,"true_track":181.5,\
                "vertical_rate":-1.2,"sensors":null,"geo_altitude":10700.0,"squawk":"1000","spi":false,\
                "position_source":0,"category":0}""";
        return """
                {"before":%s,"after":%s,"source":{"version":"3.4.0.Final","connector":"postgresql","name":"flightcdc",\
                "ts_ms":1764849600000,"snapshot":"false","db":"postgres","sequence":"[\\"123400\\",\\"123456\\"]",\
                "ts_us":1764849600000000,"ts_ns":1764849600000000000,"schema":"public","table":"flight_state",\
                "txId":731,"lsn":123456,"xmin":null},"transaction":null,"op":"u","ts_ms":1764849600000,\
                "ts_us":1764849600000000,"ts_ns":1764849600000000000}"""
                .formatted(row.formatted(icao24, velocityBefore), row.formatted(icao24, velocityAfter));
    }

    /** The envelope read as ChangeEventDecoder reads it. */
    private static long walk(JsonParser json) throws Exception {
        long seen = 0;
        json.nextToken();
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken token = json.nextToken();
            if (field.equals("after") && token == JsonToken.START_OBJECT) {
                seen += JSON.readTree(json).size();
            } else if (field.equals("source") && token == JsonToken.START_OBJECT) {
                while (json.nextToken() == JsonToken.FIELD_NAME) {
                    json.nextToken();
                    seen += json.getTextLength();
                }
            } else {
                json.skipChildren();
            }
        }
        json.close();
        return seen;
    }

    public static void main(String[] args) throws Exception {
        int n = 2_000;
        int passes = 100;
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            values[i] = update(String.format("%06x", i), i, i + 1).getBytes(StandardCharsets.UTF_8);
        }
        System.out.println("bytes per value: " + values[0].length);
        ChangeEventDecoder decoder = new ChangeEventDecoder();
        long sink = 0;
        for (int round = 1; round <= 12; round++) {
            long t0 = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                for (byte[] value : values) {
                    sink += walk(JSON.createParser(new String(value, StandardCharsets.UTF_8)));
                }
            }
            long t1 = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                for (byte[] value : values) {
                    sink += walk(JSON.createParser(value));
                }
            }
            long t2 = System.nanoTime();
            for (int p = 0; p < passes; p++) {
                for (byte[] value : values) {
                    sink += decoder.decode("flightcdc.public.flight_state", 0, p, value).orElseThrow().offset();
                }
            }
            long t3 = System.nanoTime();
            double per = (double) passes * n;
            System.out.printf("round %2d: String, char parser %,.0f ns; bytes, byte parser %,.0f ns;"
                    + " ChangeEventDecoder.decode(bytes) %,.0f ns a change%n",
                    round, (t1 - t0) / per, (t2 - t1) / per, (t3 - t2) / per);
        }
        System.out.println(sink == 42 ? "" : "done");
    }
}
