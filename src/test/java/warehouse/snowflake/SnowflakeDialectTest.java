package warehouse.snowflake;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SnowflakeDialectTest {

    private final SnowflakeDialect dialect = new SnowflakeDialect();

    @Test
    void anEndedSessionOrABrokenConnectionIsLostAndCallsForANewSession() {
        assertThat(dialect.lostConnection(new SQLException("Authentication token has expired.", "08001", 390114))).isTrue();
        assertThat(dialect.lostConnection(new SQLException("Session no longer exists.", "XX000", 390111))).isTrue();
        assertThat(dialect.lostConnection(new SQLException("Communication link failure", "08S01"))).isTrue();
    }

    @Test
    void refusedDataAndOtherErrorsKeepTheConnection() {
        assertThat(dialect.lostConnection(new SQLException("Numeric value out of range", "22003", 100039))).isFalse();
        assertThat(dialect.lostConnection(new SQLException("Warehouse suspended", "57P03", 606))).isFalse();
        assertThat(dialect.refusesData(new SQLException("Numeric value out of range", "22003", 100039))).isTrue();
    }
}
