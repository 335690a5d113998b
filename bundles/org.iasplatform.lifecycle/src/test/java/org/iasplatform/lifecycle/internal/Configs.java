package org.iasplatform.lifecycle.internal;

import java.util.Map;

/** Instances of a component's configuration annotation: its defaults, with some attributes overridden. */
final class Configs {
    private Configs() {
    }

    static <A> A of(Class<A> type, Map<String, Object> overrides) {
        return org.iasplatform.testsupport.Configs.of(type, overrides);
    }
}
