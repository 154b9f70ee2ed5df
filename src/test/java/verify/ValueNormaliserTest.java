package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static verify.ValueNormaliser.normalise;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import warehouse.ColumnType;

/** The classes the two drivers hand back for one value come out as one form. */
class ValueNormaliserTest {

    @Test
    void wholeNumbersOfEveryWidthAreLongs() {
        assertThat(normalise((short) 3, ColumnType.SMALLINT)).isEqualTo(3L);
        assertThat(normalise(3, ColumnType.SMALLINT)).isEqualTo(3L);
        assertThat(normalise(3L, ColumnType.BIGINT)).isEqualTo(3L);
    }

    @Test
    void aTimestamptzIsTheSameInstantFromEitherDriver() {
        Instant instant = Instant.parse("2024-05-01T10:00:00.123456Z");

        assertThat(normalise(Timestamp.from(instant), ColumnType.TIMESTAMPTZ))
                .isEqualTo(normalise(OffsetDateTime.ofInstant(instant, ZoneOffset.ofHours(2)), ColumnType.TIMESTAMPTZ))
                .isEqualTo(instant);
    }

    @Test
    void numericComparesItsDigitsAndScaleWhicheverWayADriverHandsItBack() {
        // numeric(12,3) from either driver's DECIMAL, and an unconstrained numeric DuckDB keeps as text
        assertThat(normalise(new BigDecimal("1.500"), ColumnType.NUMERIC)).isEqualTo(normalise("1.500", ColumnType.NUMERIC));
        // The warehouse keeps the source's scale: 1.50 written as 1.5 would be a different value's text.
        assertThat(normalise(new BigDecimal("1.50"), ColumnType.NUMERIC)).isNotEqualTo(normalise("1.5", ColumnType.NUMERIC));
        assertThat(normalise(new BigDecimal("1.5"), ColumnType.NUMERIC))
                .isNotEqualTo(normalise(new BigDecimal("1.500000001"), ColumnType.NUMERIC));
        assertThat(normalise(new BigDecimal("1E-7"), ColumnType.NUMERIC)).isEqualTo(normalise("0.0000001", ColumnType.NUMERIC));
        String digits = "123456789012345678901234567890123456789012345.123456789012345";
        assertThat(normalise(new BigDecimal(digits), ColumnType.NUMERIC)).isEqualTo(normalise(digits, ColumnType.NUMERIC))
                .isNotEqualTo(normalise(digits + "1", ColumnType.NUMERIC));
        assertThat(normalise("NaN", ColumnType.NUMERIC)).isEqualTo("NaN").isNotEqualTo(normalise("Infinity", ColumnType.NUMERIC));
    }

    @Test
    void anIntervalKeepsMonthsDaysAndMicrosecondsApartInEitherDatabasesNotation() {
        // PostgreSQL's default style and DuckDB's, for the same value
        assertThat(normalise("1 year 2 mons -3 days +04:05:06.789012", ColumnType.INTERVAL))
                .isEqualTo(normalise("1 year 2 months -3 days 04:05:06.789012", ColumnType.INTERVAL))
                .isEqualTo(new IntervalValue(14, -3, 14_706_789_012L));
        assertThat(normalise("-1 years -2 mons +3 days -04:05:06.5", ColumnType.INTERVAL))
                .isEqualTo(new IntervalValue(-14, 3, -14_706_500_000L));
        // PostgreSQL finds these equal; they are not the same value.
        assertThat(normalise("1 mon", ColumnType.INTERVAL)).isNotEqualTo(normalise("30 days", ColumnType.INTERVAL));
        assertThat(normalise("-2562047788:00:54.775807", ColumnType.INTERVAL))
                .isEqualTo(new IntervalValue(0, 0, -Long.MAX_VALUE));
        assertThat(normalise("00:00:00", ColumnType.INTERVAL)).isEqualTo(new IntervalValue(0, 0, 0));
    }

    @Test
    void anIntervalReadsTheTextTheLoaderKeepsInSnowflakeToo() {
        assertThat(normalise("14 months -3 days 14706789012 microseconds", ColumnType.INTERVAL))
                .isEqualTo(normalise("1 year 2 mons -3 days +04:05:06.789012", ColumnType.INTERVAL));
        assertThat(normalise("-1 months 0 days 0 microseconds", ColumnType.INTERVAL)).isEqualTo(new IntervalValue(-1, 0, 0));
    }

    @Test
    void snowflakesNumbersForWholeNumbersAndFloatsAreTheSameValues() {
        // Snowflake's driver hands a NUMBER(38,0) back as a Long, or a BigDecimal when it is wider, and a FLOAT as a Double.
        assertThat(normalise(new BigDecimal("-9223372036854775808"), ColumnType.BIGINT)).isEqualTo(Long.MIN_VALUE);
        assertThat(normalise(new BigDecimal("1.1"), ColumnType.REAL)).isEqualTo(normalise(1.1f, ColumnType.REAL));
        assertThat(normalise(1.1d, ColumnType.REAL)).isEqualTo(normalise(1.1f, ColumnType.REAL));
        assertThat(normalise(new BigDecimal("0.30000000000000004"), ColumnType.DOUBLE)).isEqualTo(0.30000000000000004);
    }

    @Test
    void aTimeOfDayReachesMidnightAtTheEndAndATimeWithTimeZoneKeepsItsOffset() {
        assertThat(normalise("24:00:00", ColumnType.TIME)).isEqualTo(new TimeOfDay(86_400_000_000L, null));
        assertThat(normalise("23:59:59.999999", ColumnType.TIME)).isEqualTo(new TimeOfDay(86_399_999_999L, null));
        assertThat(normalise("10:00:00.5+02", ColumnType.TIMETZ)).isEqualTo(new TimeOfDay(36_000_500_000L, 7200))
                .isNotEqualTo(normalise("08:00:00.5+00", ColumnType.TIMETZ));
        assertThat(normalise("00:00:00-15:59", ColumnType.TIMETZ)).isEqualTo(new TimeOfDay(0, -57_540));
    }

    @Test
    void aDateIsReadFromEitherDatabasesTextBeforeChristAndAfter9999Included() {
        assertThat(normalise("4714-11-24 BC", ColumnType.DATE)).isEqualTo(normalise("4714-11-24 (BC)", ColumnType.DATE))
                .isEqualTo(LocalDate.of(-4713, 11, 24));
        assertThat(normalise("0001-01-01 BC", ColumnType.DATE)).isEqualTo(LocalDate.of(0, 1, 1));
        assertThat(normalise("5874897-12-31", ColumnType.DATE)).isEqualTo(LocalDate.of(5874897, 12, 31));
        assertThat(normalise("infinity", ColumnType.DATE)).isEqualTo(Infinite.POSITIVE);
        assertThat(normalise("-infinity", ColumnType.DATE)).isEqualTo(Infinite.NEGATIVE);
    }

    @Test
    void eachDriversStandInForAnInfiniteTimestampIsInfinity() {
        assertThat(normalise(LocalDateTime.MAX, ColumnType.TIMESTAMP)).isEqualTo(Infinite.POSITIVE);
        assertThat(normalise(LocalDateTime.parse("+294247-01-10T04:00:54.775807"), ColumnType.TIMESTAMP))
                .isEqualTo(Infinite.POSITIVE);
        assertThat(normalise(LocalDateTime.parse("+294247-01-10T04:00:54.775806"), ColumnType.TIMESTAMP))
                .isEqualTo(LocalDateTime.parse("+294247-01-10T04:00:54.775806"));
        assertThat(normalise(LocalDateTime.MIN, ColumnType.TIMESTAMP)).isEqualTo(Infinite.NEGATIVE);
        assertThat(normalise(LocalDateTime.parse("-290308-12-21T19:59:05.224193"), ColumnType.TIMESTAMP))
                .isEqualTo(Infinite.NEGATIVE);
        assertThat(normalise(OffsetDateTime.MAX, ColumnType.TIMESTAMPTZ)).isEqualTo(Infinite.POSITIVE);
        assertThat(normalise(OffsetDateTime.parse("+294247-01-10T04:00:54.775807Z"), ColumnType.TIMESTAMPTZ))
                .isEqualTo(Infinite.POSITIVE);
        assertThat(normalise(OffsetDateTime.MIN, ColumnType.TIMESTAMPTZ)).isEqualTo(Infinite.NEGATIVE);
    }

    @Test
    void realIsTheDoubleOfItsFloat() {
        assertThat(normalise(1.1f, ColumnType.REAL)).isEqualTo((double) 1.1f);
    }
}
