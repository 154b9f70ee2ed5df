package e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the loader's log lines say it skipped, added up over runs: changes the capture emitted again after a restart
 * (expected after every crash of the capture), and skips no restart explains (never expected: each is a line to show).
 */
final class SkippedChanges {

    private static final Pattern REPLAYS = Pattern.compile("(\\d+) emitted again by the capture after a restart, skipped");
    private static final Pattern UNEXPLAINED = Pattern.compile("which no restart of the capture explains");

    private long replays;
    private final List<String> unexplained = new ArrayList<>();

    /** Adds what one run's log says. */
    void read(List<String> lines) {
        for (String line : lines) {
            Matcher m = REPLAYS.matcher(line);
            if (m.find()) {
                replays += Long.parseLong(m.group(1));
            }
            if (UNEXPLAINED.matcher(line).find()) {
                unexplained.add(line);
            }
        }
    }

    long replays() {
        return replays;
    }

    List<String> unexplained() {
        return unexplained;
    }
}
