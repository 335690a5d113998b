package org.iasplatform.rest.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration PID {@value #PID} ({@code etc/org.iasplatform.rest.cfg}). Method names map to property names by the
 * component property type rules: a double underscore is one underscore ({@code max__body__bytes} is
 * {@code max_body_bytes}).
 */
@ObjectClassDefinition(id = RestConfig.PID, name = "IAS REST API", description = "The REST API at /ias/api/v1")
public @interface RestConfig {
    String PID = "org.iasplatform.rest";

    @AttributeDefinition(name = "max_body_bytes", description = "Largest request body accepted; larger ones get 413", min = "1")
    long max__body__bytes() default 1_048_576L;

    @AttributeDefinition(name = "jaas_realm", description = "The Karaf JAAS realm HTTP Basic credentials are checked against")
    String jaas__realm() default "karaf";

    @AttributeDefinition(name = "auth_cache_seconds", description = "How long a successful login is remembered (0: never)", min = "0")
    int auth__cache__seconds() default 30;
}
