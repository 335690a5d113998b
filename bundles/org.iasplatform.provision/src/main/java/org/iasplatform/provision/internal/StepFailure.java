package org.iasplatform.provision.internal;

/** A step that failed, and why (what the host answered); the message holds no secret. */
final class StepFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final Step step;

    StepFailure(Step step, String message) {
        super(message);
        this.step = step;
    }

    Step step() {
        return step;
    }
}
