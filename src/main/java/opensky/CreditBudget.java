package opensky;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What polling costs in OpenSky API credits: a {@code /states/all} call costs 1 to 4 credits by the
 * area of its bounding box, and an account has a daily allowance. Tells how long the allowance lasts
 * at a poll interval, so a wrong interval shows at startup rather than as a 429 in the afternoon.
 */
public record CreditBudget(int costPerCall, int dailyCredits) {

    public static final int ANONYMOUS_DAILY_CREDITS = 400;
    public static final int USER_DAILY_CREDITS = 4000;
    private static final Duration DAY = Duration.ofDays(1);

    public static CreditBudget of(Optional<BoundingBox> box, int dailyCredits) {
        return new CreditBudget(costOf(box), dailyCredits);
    }

    /** OpenSky's tiers: up to 25 square degrees 1 credit, 100: 2, 400: 3, larger or global 4. */
    public static int costOf(Optional<BoundingBox> box) {
        double area = box.map(BoundingBox::area).orElse(Double.POSITIVE_INFINITY);
        return area <= 25 ? 1 : area <= 100 ? 2 : area <= 400 ? 3 : 4;
    }

    /** How long the daily credits last polling every {@code interval}. */
    public Duration lastsFor(Duration interval) {
        return interval.multipliedBy(dailyCredits / costPerCall);
    }

    public boolean lastsADay(Duration interval) {
        return lastsFor(interval).compareTo(DAY) >= 0;
    }

    /** The shortest poll interval, in whole seconds, at which the credits last the day. */
    public Duration shortestIntervalForADay() {
        long calls = Math.max(1, dailyCredits / costPerCall);
        return Duration.ofSeconds((DAY.toSeconds() + calls - 1) / calls);
    }

    /** The startup line: "each poll costs 4 credits; at one poll every 5 s the daily budget of 400 lasts 0.6 hours". */
    public String describe(Duration interval) {
        return String.format(Locale.ROOT, "each poll costs %d credit%s; at one poll every %s s the daily budget of %d lasts %.1f hours",
                costPerCall, costPerCall == 1 ? "" : "s", seconds(interval), dailyCredits,
                lastsFor(interval).toMillis() / 3_600_000.0);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
