package bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTableTest {

    private static final LatencyResult.Latency MS = new LatencyResult.Latency(412.3, 655.0, 801.9, 950.2);

    @Test
    void aPhaseThatKeptUpIsARowAndNothingMore() {
        String md = LatencyTable.markdown(List.of(
                new LatencyResult(true, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, MS, null)));

        assertThat(md).contains("## Latency at fixed rates", "one transaction every 20 ms",
                        "| 2,000 | yes | 30.0 | 2,000 | 1,500 | 412.3 | 655.0 | 801.9 | 950.2 | 1,996 | – | – |")
                .doesNotContain("fell short", "fell behind", "behind the timetable");
    }

    @Test
    void eachPhaseSaysWhatCpuItTookAndHowBusyTheMachineWas() {
        ThreadCpu.Usage cpu = new ThreadCpu.Usage(200_000, 20.5, 96.4, 0.94, List.of(),
                new MachineCpu.Spent(2, 1.87, 0.01, 0.41, 42.0));
        String md = LatencyTable.markdown(List.of(
                new LatencyResult(true, 10_000, 20.0, 20, 1000, 0, 1000, 200_000, 210_000, 10_000, true, 9_990L, true, MS, cpu)));

        assertThat(md).contains("| 10,000 | yes | 20.0 | 10,000 | 1,000 | 412.3 | 655.0 | 801.9 | 950.2 | 9,990 | 96.4 | 1.87 of 2 |");
    }

    @Test
    void saysWhenTheWriterOrThePipelineCouldNotKeepUp() {
        String md = LatencyTable.markdown(List.of(
                new LatencyResult(true, 10_000, 30.4, 20, 1500, 600, 900, 240_000, 252_000, 7900, false, 3100L, false, MS, null)));

        assertThat(md).contains("| 10,000 | yes | 30.4 | 7,900 (short) | 900 |", "| 3,100 (fell behind) |",
                "At 10,000 changes/s the source writer fell short: it wrote 7,900 changes/s",
                "At 10,000 changes/s the writer was behind the timetable for 600 of the 1,500 ticks, and had written 900"
                        + " when the phase's time was up",
                "At 10,000 changes/s the pipeline fell behind: the warehouse carried 3,100 of the 7,900 changes/s");
    }

    @Test
    void whatLoadingWholeTransactionsCostsIsTheDifferenceWithThePhaseInParts() {
        String md = LatencyTable.markdown(List.of(
                new LatencyResult(true, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, MS, null),
                new LatencyResult(false, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true,
                        new LatencyResult.Latency(400.0, 600.0, 700.0, 900.0), null)));

        assertThat(md).contains("| 2,000 | no | 30.0 |",
                "At 2,000 changes/s, loading each transaction whole (waiting for its end marker) cost +12.3 ms at p50 and"
                        + " +101.9 ms at p99");
    }

    @Test
    void eachPhaseLoadingWholeTransactionsIsComparedWithTheOneThatFollowedIt() {
        LatencyResult.Latency slower = new LatencyResult.Latency(500.0, 700.0, 900.0, 1000.0);
        String md = LatencyTable.markdown(List.of(
                new LatencyResult(true, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, MS, null),
                new LatencyResult(false, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, slower, null),
                new LatencyResult(true, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, slower, null),
                new LatencyResult(false, 2000, 30.0, 20, 1500, 0, 1500, 60_000, 63_000, 2000, true, 1996L, true, MS, null)));

        assertThat(md).contains("cost -87.7 ms at p50 and -98.1 ms at p99", "cost +87.7 ms at p50 and +98.1 ms at p99");
    }

    @Test
    void noPhasesNoSection() {
        assertThat(LatencyTable.markdown(List.of())).isEmpty();
    }
}
