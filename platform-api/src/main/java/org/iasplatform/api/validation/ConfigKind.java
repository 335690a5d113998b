package org.iasplatform.api.validation;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of configuration a user submits; a {@link ConfigValidator} names the kinds it checks. */
public enum ConfigKind {
    SENSOR_TYPE("sensor-type"),
    SENSOR_INSTANCE("sensor-instance"),
    APP_CONFIG("app-config"),
    DEPLOY_CONFIG("deploy-config");

    private final String id;

    ConfigKind(String id) {
        this.id = id;
    }

    /** The value used in the {@link ConfigValidator#PROPERTY_KIND} service property. */
    public String id() {
        return id;
    }

    public static Optional<ConfigKind> byId(String id) {
        return Arrays.stream(values()).filter(k -> k.id.equals(id)).findFirst();
    }
}
