package org.iasplatform.api;

/** What kind of failure an {@link IasException} reports, with the HTTP status the REST API answers for it. */
public enum ErrorKind {
    /** Malformed or invalid input. */
    INVALID(400),
    /** The named thing does not exist. */
    NOT_FOUND(404),
    /** The request conflicts with the current state (a different definition under the same name, a type still in use). */
    CONFLICT(409),
    /** The input is larger than the platform accepts. */
    TOO_LARGE(413),
    /** Valid, but cannot be satisfied (e.g. an unregistered sensor type). */
    UNPROCESSABLE(422),
    /** A platform dependency (Kafka, the store) cannot be reached right now. */
    UNAVAILABLE(503);

    private final int httpStatus;

    ErrorKind(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
