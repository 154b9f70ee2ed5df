package opensky.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import opensky.BoundingBox;
import org.junit.jupiter.api.Test;

class AirTrafficModelTest {

    private static final Instant START = Instant.parse("2026-05-01T10:00:00Z");

    @Test
    void theSameSeedFliesTheSameTraffic() {
        AirTrafficModel a = new AirTrafficModel(500, 7, START);
        AirTrafficModel b = new AirTrafficModel(500, 7, START);
        for (int tick = 1; tick <= 20; tick++) {
            a.advanceTo(START.plusSeconds(5L * tick));
            b.advanceTo(START.plusSeconds(5L * tick));
        }

        assertThat(a.states(null, true)).usingElementComparator((x, y) -> Arrays.deepEquals(x, y) ? 0 : 1)
                .containsExactlyElementsOf(b.states(null, true));
        assertThat(new AirTrafficModel(500, 8, START).states(null, false).get(0)[0])
                .isNotEqualTo(new AirTrafficModel(500, 7, START).states(null, false).get(0)[0]);
    }

    @Test
    void aircraftMoveAppearAndDisappearWhileThePopulationStaysSteady() {
        AirTrafficModel model = new AirTrafficModel(1000, 42, START);
        Map<String, Object[]> before = byIcao(model.states(null, false));
        int changed = 0;
        int unchanged = 0;
        for (int tick = 1; tick <= 200; tick++) {
            Map<String, Object[]> previous = byIcao(model.states(null, false));
            model.advanceTo(START.plusSeconds(5L * tick));
            for (Object[] s : model.states(null, false)) {
                Object[] old = previous.get((String) s[0]);
                if (old != null && Arrays.deepEquals(old, s)) {
                    unchanged++;
                } else if (old != null) {
                    changed++;
                }
            }
        }
        Map<String, Object[]> after = byIcao(model.states(null, false));

        assertThat(model.size()).isEqualTo(1000);
        assertThat(after.keySet()).as("some aircraft left, some arrived").isNotEqualTo(before.keySet());
        assertThat(after.keySet().stream().filter(before::containsKey).count()).as("most stayed").isGreaterThan(500);
        assertThat(changed).isGreaterThan(100 * 1000);
        assertThat(unchanged).as("some transponders are silent in a tick").isGreaterThan(1000);
    }

    @Test
    void everyStateVectorFollowsOpenSkysFieldRules() {
        AirTrafficModel model = new AirTrafficModel(2000, 3, START);
        model.advanceTo(START.plusSeconds(600));

        List<Object[]> states = model.states(null, true);
        assertThat(states).hasSize(2000).allSatisfy(s -> {
            assertThat(s).hasSize(18);
            assertThat((String) s[0]).matches("[0-9a-f]{6}");
            if (s[1] != null) {
                assertThat((String) s[1]).hasSize(8);
            }
            assertThat(s[2]).isInstanceOf(String.class);
            assertThat(s[4]).isInstanceOf(Long.class);
            if (s[6] != null) {
                assertThat((Double) s[6]).isBetween(-90.0, 90.0);
                assertThat((Double) s[5]).isBetween(-180.0, 180.0);
            }
            boolean onGround = (Boolean) s[8];
            if (onGround) {
                assertThat(s[7]).as("no barometric altitude on the ground").isNull();
            } else {
                assertThat((Double) s[7]).isBetween(0.0, 13_000.0);
            }
            assertThat((Double) s[9]).isBetween(0.0, 300.0);
            if (s[14] != null) {
                assertThat((String) s[14]).matches("[0-7]{4}");
            }
            assertThat((Integer) s[16]).isIn(0, 1, 2, 3);
            assertThat((Integer) s[17]).isBetween(0, 20);
        });
        Set<String> phases = states.stream().map(s -> (Boolean) s[8] ? "ground"
                : (Double) s[11] > 0 ? "climb" : (Double) s[11] < 0 ? "descent" : "cruise").collect(Collectors.toSet());
        assertThat(phases).containsExactlyInAnyOrder("ground", "climb", "descent", "cruise");
        assertThat(states).anySatisfy(s -> assertThat(s[1]).isNull());
        assertThat(states).anySatisfy(s -> assertThat(s[14]).isNull());
        assertThat(states).anySatisfy(s -> assertThat(s[6]).isNull());
        assertThat(model.states(null, false).get(0)).hasSize(17);
    }

    @Test
    void worldwideTrafficHasARareEmergencySquawk() {
        AirTrafficModel model = new AirTrafficModel(10_000, 5, START);

        long emergencies = model.states(null, true).stream().filter(s -> s[14] != null && List.of("7500", "7600", "7700").contains(s[14])).count();

        assertThat(emergencies).as("hijack, radio failure or emergency, about 1 aircraft in 1,000").isBetween(1L, 50L);
    }

    @Test
    void aBoundingBoxKeepsOnlyTheAircraftInside() {
        AirTrafficModel model = new AirTrafficModel(2000, 5, START);
        BoundingBox europe = new BoundingBox(35, -10, 60, 30);

        List<Object[]> inside = model.states(europe, false);

        assertThat(inside).isNotEmpty().hasSizeLessThan(2000)
                .allSatisfy(s -> assertThat(s[6] != null && europe.contains((Double) s[6], (Double) s[5])).isTrue());
    }

    private static Map<String, Object[]> byIcao(List<Object[]> states) {
        Map<String, Object[]> map = new HashMap<>();
        states.forEach(s -> map.put((String) s[0], s));
        return map;
    }
}
