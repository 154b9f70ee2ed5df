package opensky;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CreditBudgetTest {

    @Test
    void aCallCostsByTheAreaOfItsBox() {
        assertThat(CreditBudget.costOf(Optional.of(new BoundingBox(45, 5, 50, 10)))).isEqualTo(1); // 25 sq°
        assertThat(CreditBudget.costOf(Optional.of(new BoundingBox(45, 5, 55, 15)))).isEqualTo(2); // 100
        assertThat(CreditBudget.costOf(Optional.of(new BoundingBox(40, 0, 60, 20)))).isEqualTo(3); // 400
        assertThat(CreditBudget.costOf(Optional.of(new BoundingBox(40, 0, 60, 20.5)))).isEqualTo(4);
        assertThat(CreditBudget.costOf(Optional.empty())).as("global").isEqualTo(4);
    }

    @Test
    void tellsHowLongTheDailyCreditsLastAndWhichIntervalFitsADay() {
        CreditBudget anonymousGlobal = CreditBudget.of(Optional.empty(), 400);

        assertThat(anonymousGlobal.lastsFor(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(1000));
        assertThat(anonymousGlobal.lastsADay(Duration.ofSeconds(10))).isFalse();
        assertThat(anonymousGlobal.shortestIntervalForADay()).isEqualTo(Duration.ofSeconds(864));
        assertThat(anonymousGlobal.lastsADay(Duration.ofSeconds(864))).isTrue();
        assertThat(anonymousGlobal.describe(Duration.ofSeconds(10)))
                .isEqualTo("each poll costs 4 credits; at one poll every 10 s the daily budget of 400 lasts 0.3 hours");
        assertThat(CreditBudget.of(Optional.of(new BoundingBox(45, 5, 50, 10)), 4000).describe(Duration.ofSeconds(30)))
                .isEqualTo("each poll costs 1 credit; at one poll every 30 s the daily budget of 4000 lasts 33.3 hours");
    }

    @Test
    void aBoxIsParsedInOpenSkysOrderAndChecked() {
        BoundingBox swiss = BoundingBox.parse(" 45.8, 5.9 ,47.8,10.5");

        assertThat(swiss).isEqualTo(new BoundingBox(45.8, 5.9, 47.8, 10.5));
        assertThat(swiss.query()).isEqualTo("lamin=45.8&lomin=5.9&lamax=47.8&lomax=10.5");
        assertThatThrownBy(() -> BoundingBox.parse("45,5,50")).hasMessageContaining("four numbers");
        assertThatThrownBy(() -> BoundingBox.parse("45,5,north,10")).hasMessageContaining("four numbers");
        assertThatThrownBy(() -> BoundingBox.parse("50,5,45,10")).hasMessageContaining("lamin must be below lamax");
        assertThatThrownBy(() -> BoundingBox.parse("45,5,95,10")).hasMessageContaining("-90..90");
        assertThatThrownBy(() -> BoundingBox.parse("45,-185,50,10")).hasMessageContaining("-180..180");
    }
}
