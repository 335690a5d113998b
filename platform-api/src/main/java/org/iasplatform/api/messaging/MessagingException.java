package org.iasplatform.api.messaging;

/** The message bus could not do what was asked (broker unreachable, time-out). */
public class MessagingException extends Exception {
    private static final long serialVersionUID = 1L;

    public MessagingException(String message, Throwable cause) {
        super(message, cause);
    }
}
