package observe;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Grafana dashboard (docker/grafana/dashboards/*.json) asks of Prometheus: its panels, rows' panels included,
 * and the metric names their PromQL queries read. A test that scrapes a running pipeline checks that every name the
 * dashboard reads is there, so that a renamed metric cannot leave a panel empty unnoticed.
 */
public final class GrafanaDashboard {

    /** The dashboard in this repository, from the project's folder (where Maven runs the tests). */
    public static final Path FLIGHT_CDC = Path.of("docker", "grafana", "dashboards", "flight-cdc.json");

    /** Strict: a key given twice is an error, as it is a mistake in a file edited by hand. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** String literals: "...", '...' with backslash escapes, `...` raw. */
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

    /** Label matchers {...} and ranges or subqueries [...]: label names, durations and Grafana's $__ variables. */
    private static final Pattern MATCHERS_AND_RANGES = Pattern.compile("\\{[^}]*}|\\[[^\\]]*]");

    /** The label lists of grouping and vector matching, by (le), on (instance), group_left (a, b): label names. */
    private static final Pattern LABEL_LIST = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)",
            Pattern.CASE_INSENSITIVE);

    /**
     * An identifier in PromQL's metric name syntax, whole (nothing identifier-like before it, Grafana's $ variables
     * included), that is not a function call: not followed by "(".
     */
    private static final Pattern NAME = Pattern.compile("(?<![\\w:$.])([A-Za-z_:][\\w:]*)(?![\\w:])(?!\\s*\\()");

    /**
     * PromQL's words that stand without "(" after them: keywords, set operators, literals, and the aggregations, whose
     * label list "sum by (le) (...)" may come between the name and its "(". Compared in lower case, as PromQL does.
     */
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "atan2", "inf", "nan",
            "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
            "quantile", "limitk", "limit_ratio");

    private GrafanaDashboard() {
    }

    /**
     * Every metric name the PromQL of {@code dashboardJson}'s panels reads ({@code targets[].expr}, in rows too), as it
     * appears in a scrape: {@code flightcdc_commit_to_visible_seconds_bucket}, not the histogram's base name.
     *
     * <p>The rule, enough for a dashboard's queries though not a PromQL parser: drop string literals, the insides of
     * label matchers {...} and of ranges [...] (label names, durations, Grafana's $__rate_interval), and the label
     * lists of by / without / on / ignoring / group_left / group_right. Every identifier left that is not a function
     * call (followed by "(") and not one of PromQL's keywords, aggregations or literals names a metric.
     */
    public static Set<String> metricNames(Path dashboardJson) {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : panels(read(dashboardJson))) {
            for (JsonNode target : panel.path("targets")) {
                names.addAll(metricNamesIn(target.path("expr").asText("")));
            }
        }
        return names;
    }

    /** The metric names one PromQL expression reads, by the rule of {@link #metricNames(Path)}. */
    public static Set<String> metricNamesIn(String promql) {
        String selectors = LABEL_LIST.matcher(MATCHERS_AND_RANGES.matcher(STRING.matcher(promql).replaceAll("\"\""))
                .replaceAll(m -> m.group().startsWith("{") ? "{}" : "[]")).replaceAll("$1");
        Set<String> names = new TreeSet<>();
        Matcher m = NAME.matcher(selectors);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group(1).toLowerCase(Locale.ROOT))) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** The dashboard's panels: those at the top, and those a row holds (a collapsed row keeps its own), rows included. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        addPanels(dashboard.path("panels"), panels);
        return panels;
    }

    private static void addPanels(JsonNode list, List<JsonNode> into) {
        for (JsonNode panel : list) {
            into.add(panel);
            addPanels(panel.path("panels"), into);
        }
    }

    public static JsonNode read(Path dashboardJson) {
        try {
            return JSON.readTree(dashboardJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the dashboard " + dashboardJson.toAbsolutePath(), e);
        }
    }
}
