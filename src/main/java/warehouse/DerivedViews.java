package warehouse;

import java.util.List;
import java.util.Map;

/**
 * Views a warehouse creates over the tables it loads, for those who read them (a dashboard): the loader runs
 * them and knows nothing of what they are about, so whoever opens the warehouse chooses them.
 */
@FunctionalInterface
public interface DerivedViews {

    DerivedViews NONE = (dialect, tables) -> List.of();

    /**
     * CREATE OR REPLACE VIEW statements in {@code dialect}, run once {@code tables} exist (every table the
     * warehouse loads, by source table): none when the views cannot be made over them.
     */
    List<String> createStatements(Dialect dialect, Map<TableId, TableSchema> tables);
}
