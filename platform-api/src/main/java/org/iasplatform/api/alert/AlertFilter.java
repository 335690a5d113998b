package org.iasplatform.api.alert;

/**
 * Which alerts to list; a null field does not filter.
 *
 * @param kind         only this kind
 * @param state        only ACTIVE or only RESOLVED ones
 * @param subject      only those about this sensor or algorithm instance
 * @param acknowledged only acknowledged (true) or unacknowledged (false) ones
 * @param limit        at most this many, the newest ({@code 1..}{@link Alerts#MAX_LIMIT})
 */
public record AlertFilter(AlertKind kind, AlertState state, String subject, Boolean acknowledged, int limit) {
    /** Every alert, the newest {@code limit}. */
    public static AlertFilter all(int limit) {
        return new AlertFilter(null, null, null, null, limit);
    }
}
