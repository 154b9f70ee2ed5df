package dashboard;

import static dashboard.LoadedPostgresWarehouse.T0;
import static org.assertj.core.api.Assertions.assertThat;

import analytics.FlightAnalyticsViews;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import settings.PipelineSettings;

/**
 * Everything the dashboard reads, read through PostgresReader from a PostgreSQL warehouse that the real loader made
 * and loaded (LoadedPostgresWarehouse): the map's aircraft, a track, what was set aside, and each analytics view as the
 * console offers it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardOnPostgresTest {

    private LoadedPostgresWarehouse warehouse;
    private PostgresReader reader;

    @BeforeAll
    void start() throws Exception {
        warehouse = LoadedPostgresWarehouse.start("dashboard-");
        reader = new PostgresReader(warehouse.settings(), Duration.ofSeconds(5));
    }

    @AfterAll
    void stop() throws Exception {
        reader.close();
        warehouse.close();
    }

    @Test
    void theMapShowsTheCurrentStateWithItsEmergencies() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0 + 60_000), ZoneOffset.UTC);

        AircraftPositions.Positions positions = new AircraftPositions(reader, clock).now();

        assertThat(positions.readAt()).isEqualTo(T0 + 60_000);
        assertThat(positions.warehouse()).isEqualTo("PostgreSQL " + warehouse.url());
        assertThat(positions.count()).isEqualTo(3);
        assertThat(positions.positioned()).isEqualTo(2);
        assertThat(positions.aircraft()).filteredOn(a -> a.icao24().equals("abc123")).containsExactly(
                new AircraftPositions.Aircraft("abc123", "DLH1", "Germany", 8.6, 50.1, 10972.8, false, 231.0, 90.0, "1000", null));
        assertThat(positions.aircraft()).filteredOn(a -> a.icao24().equals("c0ffee"))
                .extracting(AircraftPositions.Aircraft::emergency).containsExactly("emergency");
    }

    @Test
    void aTrackIsRebuiltFromTheHistoryOldestFirst() throws Exception {
        Tracks.Track track = new Tracks(reader).of("abc123");

        assertThat(track.points()).containsExactly(
                new Tracks.Point(T0, "c", 50.0, 8.5, 10668.0, 230.5, 90.0),
                new Tracks.Point(T0 + 5_000, "u", 50.1, 8.6, 10972.8, 231.0, 90.0));
        assertThat(track.truncated()).isFalse();
        assertThat(new Tracks(reader).of("3c4b5a").points()).isEmpty();
    }

    @Test
    void whatTheWarehouseRefusedIsSetAsideWithItsReason() throws Exception {
        SetAside.Now now = new SetAside(reader, Optional.empty()).now();

        assertThat(now.deadLetters()).isEqualTo(1);
        assertThat(now.newestDeadLetters()).singleElement().satisfies(dead -> {
            assertThat(dead.table()).isEqualTo("public.flight_state");
            assertThat(dead.topic()).isEqualTo("flightcdc.public.flight_state");
            assertThat(dead.offset()).isEqualTo(4);
            assertThat(dead.reason()).isEqualTo("ERROR: value \"99999\" is out of range for type smallint");
            assertThat(dead.at()).isNotNull();
        });
    }

    @Test
    void everyAnalyticsViewRunsAsTheConsoleOffersIt() {
        try (ReadOnlyConsole console = new ReadOnlyConsole(reader, Duration.ofSeconds(5), 100)) {
            assertThat(console.offer().views()).extracting(ReadOnlyConsole.View::name)
                    .containsExactlyElementsOf(FlightAnalyticsViews.NAMES);
            assertThat(rows(console, "airborne_by_country")).containsExactly(List.of("Germany", "1"));
            assertThat(rows(console, "altitude_bands")).containsExactly(List.of("10000", "1"));
            assertThat(rows(console, "fastest_aircraft")).extracting(row -> row.get(0)).containsExactly("abc123", "c0ffee");
            assertThat(rows(console, "emergency_squawks")).extracting(row -> row.subList(0, 5))
                    .containsExactly(List.of("c0ffee", "JAL2    ", "Japan", "7700", "emergency"));
            assertThat(rows(console, "changes_per_minute")).extracting(row -> row.subList(1, 3))
                    .containsExactly(List.of("c", "3"), List.of("u", "1"));
            assertThat(rows(console, "data_freshness")).singleElement()
                    .satisfies(row -> assertThat(Long.parseLong(row.get(1))).isGreaterThan(0));
            assertThat(rows(console, "aircraft_tracks")).extracting(row -> row.get(0) + " " + row.get(2))
                    .containsExactly("abc123 50", "abc123 50.1", "c0ffee 35.55");
        }
    }

    @Test
    void theReaderOpensNoSessionBeforeItsFirstRead() throws Exception {
        String sessions = "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'flightcdc-dashboard-lazy'";
        PipelineSettings.Warehouse.Postgres lazy = new PipelineSettings.Warehouse.Postgres(
                warehouse.url() + "?ApplicationName=flightcdc-dashboard-lazy", LoadedPostgresWarehouse.LOADER,
                warehouse.settings().password());
        try (PostgresReader unread = new PostgresReader(lazy, Duration.ofSeconds(5))) {
            assertThat(warehouse.value(sessions)).isEqualTo("0");

            assertThat(new AircraftPositions(unread, Clock.systemUTC()).now().count()).isEqualTo(3);

            assertThat(warehouse.value(sessions)).isEqualTo("1");
        }
    }

    private static List<List<String>> rows(ReadOnlyConsole console, String view) {
        return console.query(FlightAnalyticsViews.select(view)).rows();
    }
}
