package opensky;

import java.util.List;

/** A parsed {@code /states/all} response: the accepted vectors and the refused ones. */
public record StatesResponse(long time, List<StateVector> states, List<Rejection> rejections) {
}
