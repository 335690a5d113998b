package org.iasplatform.driver.jsonlines.internal;

/** The driver's connection settings, checked and clamped to sane values. */
record Settings(int connectTimeoutMs, long backoffInitialMs, long backoffMaxMs, int maxLineBytes) {
    static final Settings DEFAULTS = new Settings(2000, 200, 10_000, 65_536);

    Settings {
        connectTimeoutMs = Math.max(1, connectTimeoutMs);
        backoffInitialMs = Math.max(1, backoffInitialMs);
        backoffMaxMs = Math.max(backoffInitialMs, backoffMaxMs);
        maxLineBytes = Math.max(16, maxLineBytes);
    }

    static Settings of(JsonLinesDriver.Config config) {
        return new Settings(config.connect__timeout__ms(), config.backoff__initial__ms(), config.backoff__max__ms(),
                config.max__line__bytes());
    }
}
