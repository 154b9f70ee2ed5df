package bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void nearestRankIsAlwaysAValueOfTheSample() {
        long[] hundred = LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray(); // 100 down to 1, unsorted on purpose

        assertThat(Percentiles.of(hundred)).isEqualTo(new Percentiles(50, 95, 99, 100));
    }

    @Test
    void smallSamplesRoundTheRankUp() {
        assertThat(Percentiles.of(new long[] {7})).isEqualTo(new Percentiles(7, 7, 7, 7));
        // ranks: ceil(0.5 * 3) = 2, ceil(0.95 * 3) = 3
        assertThat(Percentiles.of(new long[] {30, 10, 20})).isEqualTo(new Percentiles(20, 30, 30, 30));
        // ceil(0.99 * 1000) = 990: the 990th smallest, not an interpolation
        long[] thousand = LongStream.rangeClosed(1, 1000).toArray();
        assertThat(Percentiles.of(thousand)).isEqualTo(new Percentiles(500, 950, 990, 1000));
    }

    @Test
    void anEmptySampleHasNone() {
        assertThatThrownBy(() -> Percentiles.of(new long[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
