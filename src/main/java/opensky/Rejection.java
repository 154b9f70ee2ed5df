package opensky;

/** A state vector (or a whole response) that was refused: why, and what exactly was received. */
public record Rejection(String reason, String raw) {
}
