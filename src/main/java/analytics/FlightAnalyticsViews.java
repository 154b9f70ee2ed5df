package analytics;

import static warehouse.MetadataColumn.OP;
import static warehouse.MetadataColumn.SOURCE_TS;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import warehouse.Dialect;
import warehouse.MetadataColumn;
import warehouse.TableId;
import warehouse.TableSchema;

/**
 * The views a dashboard is built on, over {@code flight_state} and its history. They are written once,
 * with the dialect's identifiers and functions, so they mean the same in every warehouse.
 *
 * <p>Rows of a view come in no particular order: {@code aircraft_tracks} is read ordered by
 * {@code icao24, seen_at}, {@code changes_per_minute} by {@code minute_start}.
 *
 * <p>A warehouse loaded by MERGE creates them at startup: they are its {@link warehouse.DerivedViews}
 * ({@link #over}). The streaming mode's are a Snowflake migration (warehouse.snowflake.StreamingMigrations).
 */
public final class FlightAnalyticsViews {

    private static final Logger LOG = LoggerFactory.getLogger(FlightAnalyticsViews.class);

    /** The source table the views are about; a warehouse creates them only when it captures it. */
    public static final TableId FLIGHT_STATE = new TableId("public", "flight_state");

    /** The source columns the views read. */
    public static final Set<String> COLUMNS = Set.of("icao24", "callsign", "origin_country", "on_ground",
            "baro_altitude", "velocity", "squawk", "latitude", "longitude", "true_track");

    private static final List<String> EMERGENCY_SQUAWKS = List.of("7500", "7600", "7700");

    /** The views, in the order {@link #createStatements} makes them. */
    public static final List<String> NAMES = List.of("airborne_by_country", "altitude_bands", "fastest_aircraft",
            "emergency_squawks", "changes_per_minute", "data_freshness", "aircraft_tracks");

    /** The order in which a view's rows are read, for the views whose rows have one. */
    private static final Map<String, String> READ_ORDER = Map.of(
            "airborne_by_country", "aircraft DESC, origin_country",
            "altitude_bands", "band_from_m",
            "fastest_aircraft", "velocity DESC",
            "changes_per_minute", "minute_start, _op",
            "aircraft_tracks", "icao24, seen_at");

    private final Dialect d;
    private final String current;
    private final String history;

    public FlightAnalyticsViews(Dialect dialect) {
        this.d = dialect;
        this.current = d.quote(FLIGHT_STATE.name());
        this.history = d.quote(FLIGHT_STATE.name() + "_history");
    }

    /**
     * The views in {@code dialect} when {@code tables} hold {@link #FLIGHT_STATE} with every column they read; none
     * otherwise, with a warning naming the columns it lacks.
     */
    public static List<String> over(Dialect dialect, Map<TableId, TableSchema> tables) {
        TableSchema flights = tables.get(FLIGHT_STATE);
        if (flights == null) {
            return List.of();
        }
        Set<String> missing = missingColumns(flights);
        if (!missing.isEmpty()) {
            LOG.warn("Analytics views not created: {} lacks the columns {}", FLIGHT_STATE, missing);
            return List.of();
        }
        return new FlightAnalyticsViews(dialect).createStatements();
    }

    /** The columns of {@code table} the views need and it lacks: the views can be made when there are none. */
    public static Set<String> missingColumns(TableSchema table) {
        Set<String> missing = new TreeSet<>(COLUMNS);
        table.columns().forEach(column -> missing.remove(column.name()));
        return missing;
    }

    /** CREATE OR REPLACE VIEW statements, one per view, to run after the tables exist. */
    public List<String> createStatements() {
        return List.of(
                view("airborne_by_country", "SELECT " + c("origin_country") + ", count(*) AS " + c("aircraft")
                        + " FROM " + current + " WHERE " + c("on_ground") + " = FALSE GROUP BY " + c("origin_country")),
                // Bands of 1,000 m of barometric altitude, named by their lower bound.
                view("altitude_bands", "SELECT CAST(floor(" + c("baro_altitude") + " / 1000) * 1000 AS INTEGER) AS "
                        + c("band_from_m") + ", count(*) AS " + c("aircraft") + " FROM " + current
                        + " WHERE " + c("on_ground") + " = FALSE AND " + c("baro_altitude") + " IS NOT NULL GROUP BY 1"),
                view("fastest_aircraft", "SELECT " + c("icao24") + ", " + c("callsign") + ", " + c("origin_country") + ", "
                        + c("velocity") + " FROM " + current + " WHERE " + c("velocity") + " IS NOT NULL ORDER BY "
                        + c("velocity") + " DESC LIMIT 20"),
                view("emergency_squawks", "SELECT " + c("icao24") + ", " + c("callsign") + ", " + c("origin_country") + ", "
                        + c("squawk") + ", CASE " + c("squawk") + " WHEN '7500' THEN 'hijacking' WHEN '7600' THEN 'radio failure'"
                        + " ELSE 'emergency' END AS " + c("meaning") + ", " + c("latitude") + ", " + c("longitude") + ", "
                        + c("baro_altitude") + " FROM " + current + " WHERE " + c("squawk") + " IN ('"
                        + String.join("', '", EMERGENCY_SQUAWKS) + "')"),
                view("changes_per_minute", "SELECT date_trunc('minute', " + c(SOURCE_TS) + ") AS " + c("minute_start") + ", "
                        + c(OP) + ", count(*) AS " + c("changes") + " FROM " + history + " GROUP BY 1, 2"),
                // How far the warehouse is behind the source: now minus the newest source commit it holds.
                view("data_freshness", "SELECT max(" + c(SOURCE_TS) + ") AS " + c("newest_source_commit") + ", "
                        + d.secondsBetween("max(" + c(SOURCE_TS) + ")", d.currentTimestamp()) + " AS "
                        + c("seconds_behind") + " FROM " + history),
                // Each aircraft's positions as they changed, rebuilt from the history.
                view("aircraft_tracks", "SELECT " + c("icao24") + ", " + c(SOURCE_TS) + " AS " + c("seen_at") + ", "
                        + c("latitude") + ", " + c("longitude") + ", " + c("baro_altitude") + ", " + c("velocity") + ", "
                        + c("true_track") + " FROM " + history + " WHERE " + c(OP) + " IN ('c', 'u', 'r') AND "
                        + c("latitude") + " IS NOT NULL AND " + c("longitude") + " IS NOT NULL"));
    }

    /**
     * A query that reads the whole of view {@code name} in the order its rows mean something in, written so that any
     * warehouse runs it (Snowflake folds these unquoted names to the upper case its objects are named in).
     */
    public static String select(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("No analytics view " + name + "; there are " + NAMES);
        }
        return "SELECT * FROM " + name + (READ_ORDER.containsKey(name) ? " ORDER BY " + READ_ORDER.get(name) : "");
    }

    private String view(String name, String query) {
        if (!NAMES.contains(name)) {
            throw new IllegalStateException("View " + name + " is missing from FlightAnalyticsViews.NAMES");
        }
        return "CREATE OR REPLACE VIEW " + d.quote(name) + " AS " + query;
    }

    private String c(String column) {
        return d.quote(column);
    }

    private String c(MetadataColumn column) {
        return column.quoted(d);
    }
}
