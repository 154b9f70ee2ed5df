package verify;

import static org.assertj.core.api.Assertions.assertThat;
import static verify.ValueNormaliser.normalise;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
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
    void numericIgnoresTheWarehouseScaleButNotTheValue() {
        assertThat(normalise(new BigDecimal("1.5"), ColumnType.NUMERIC))
                .isEqualTo(normalise(new BigDecimal("1.500000000"), ColumnType.NUMERIC));
        assertThat(normalise(new BigDecimal("1.5"), ColumnType.NUMERIC))
                .isNotEqualTo(normalise(new BigDecimal("1.500000001"), ColumnType.NUMERIC));
    }

    @Test
    void realIsTheDoubleOfItsFloat() {
        assertThat(normalise(1.1f, ColumnType.REAL)).isEqualTo((double) 1.1f);
    }
}
