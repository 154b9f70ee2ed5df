package routes;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import opensky.StatesResponse;
import source.PollResult;

/** Stands in for source.FlightStateRepository in the poll route's tests: the route calls it by method name. */
public class RecordingRepository {
    final List<StatesResponse> written = new ArrayList<>();
    final List<String> rejectedResponses = new ArrayList<>();
    SQLException failWith;

    public PollResult write(StatesResponse response) throws SQLException {
        if (failWith != null) {
            throw failWith;
        }
        written.add(response);
        return new PollResult(response.states().size(), response.states().size(), 0, 0, response.rejections().size());
    }

    public void rejectResponse(String reason, String body) {
        rejectedResponses.add(reason + " | " + body);
    }
}
