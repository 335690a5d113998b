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

    @AttributeDefinition(name = "max_upload_bytes", description = "Largest app.zip accepted by POST /apps (the app repository "
            + "applies its own bounds too); larger ones get 413", min = "1")
    long max__upload__bytes() default 104_857_600L;

    @AttributeDefinition(name = "stream_keepalive_seconds", description = "How often an idle server-sent event stream sends "
            + "a comment line, which also notices a client that went away and an instance that stopped", min = "1")
    int stream__keepalive__seconds() default 15;

    @AttributeDefinition(name = "max_streams", description = "Most server-sent event streams open at once (each holds a "
            + "request thread and a Kafka consumer); more get 503", min = "1")
    int max__streams() default 100;

    @AttributeDefinition(name = "login_max_failures", description = "Failed logins of one user name from one client address "
            + "within login_window_seconds after which its attempts are refused (429, Retry-After) without asking the realm "
            + "(0: no such limit)", min = "0")
    int login__max__failures() default 5;

    @AttributeDefinition(name = "login_max_failures_per_address", description = "Failed logins from one client address, "
            + "whatever the user names, after which its attempts are refused (0: no such limit)", min = "0")
    int login__max__failures__per__address() default 20;

    @AttributeDefinition(name = "login_max_failures_per_user", description = "Failed logins of one user name from any "
            + "address after which its attempts are refused (0: no such limit; note anyone can then lock a user out)", min = "0")
    int login__max__failures__per__user() default 0;

    @AttributeDefinition(name = "login_window_seconds", description = "How long a failed login counts", min = "1")
    int login__window__seconds() default 300;

    @AttributeDefinition(name = "login_lockout_seconds", description = "The first lock-out; each following one in a row "
            + "doubles it", min = "1")
    int login__lockout__seconds() default 30;

    @AttributeDefinition(name = "login_lockout_max_seconds", description = "The longest lock-out", min = "1")
    int login__lockout__max__seconds() default 900;

    @AttributeDefinition(name = "login_max_tracked", description = "Most user names and addresses whose failures are "
            + "remembered (the least recently seen are dropped first)", min = "1")
    int login__max__tracked() default 10_000;
}
