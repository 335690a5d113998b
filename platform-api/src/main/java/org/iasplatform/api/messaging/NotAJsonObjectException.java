package org.iasplatform.api.messaging;

/** A message whose value is not the JSON object the pipeline's contract says it is (see {@link Message#jsonObject}). */
public class NotAJsonObjectException extends Exception {
    private static final long serialVersionUID = 1L;

    public NotAJsonObjectException(String message) {
        super(message);
    }
}
