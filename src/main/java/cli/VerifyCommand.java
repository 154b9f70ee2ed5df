package cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import verify.TableComparison;
import verify.Verification;

/**
 * {@code flight-cdc verify}: the options of {@code run}, one line per captured table, and an exit code.
 * The comparison itself is {@link Verification}'s.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Compare the source PostgreSQL with the warehouse flightcdc.warehouse.type names, per captured table: row"
                    + " counts, a checksum over every column, and the keys that differ. duckdb: the file (stop the"
                    + " pipeline first, DuckDB allows one writer). snowflake-merge: the current-state table;"
                    + " snowflake-streaming: its live view, which has no lag; both over JDBC with the"
                    + " flightcdc.snowflake.* settings, as flightcdc.snowflake.role, which must be allowed to read them."
                    + " postgres: the current-state table in the schema of flightcdc.warehouse.postgres-url (public, or"
                    + " its currentSchema), as flightcdc.warehouse.postgres-user with FLIGHTCDC_WAREHOUSE_POSTGRES_PASSWORD.",
            "Exit code 0: they match; 1: they differ; 2: they could not be compared."})
public class VerifyCommand implements Callable<Integer>, ReadsSettings {

    @Mixin
    SettingOptions options = new SettingOptions();

    @Override
    public SettingOptions settingOptions() {
        return options;
    }

    @Option(names = "--max-keys", description = "List at most this many differing keys per table (default: 20).")
    int maxKeys = 20;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (maxKeys < 0) {
            throw new ParameterException(spec.commandLine(), "--max-keys must be 0 or more, got " + maxKeys);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean allMatch = true;
        for (TableComparison comparison : Verification.compareAll(options.resolve(), maxKeys)) {
            out.println(comparison.summary());
            allMatch &= comparison.matches();
        }
        return allMatch ? 0 : 1;
    }
}
