package org.iasplatform.store.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/** Builds the platform's {@link MongoClient} from a connection string and the configured time-outs. */
final class MongoClientFactory {
    static final String APPLICATION_NAME = "ias-platform";

    private MongoClientFactory() {
    }

    /**
     * A client for {@code uri}. Time-outs given in the URI ({@code serverSelectionTimeoutMS}, {@code connectTimeoutMS},
     * {@code socketTimeoutMS}) win over the configured ones. Does not contact the server: an unreachable one makes
     * operations fail after the server selection time-out with a {@code MongoTimeoutException} naming the address; a
     * server that stops answering on an open connection makes them fail after the socket time-out (zero: never).
     */
    static MongoClient create(String uri, Duration serverSelectionTimeout, Duration connectTimeout,
            Duration socketTimeout) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("No MongoDB connection string given");
        }
        ConnectionString connection = new ConnectionString(uri.trim());
        MongoClientSettings.Builder settings = MongoClientSettings.builder().applyConnectionString(connection);
        if (connection.getApplicationName() == null) {
            settings.applicationName(APPLICATION_NAME);
        }
        if (connection.getServerSelectionTimeout() == null) {
            settings.applyToClusterSettings(
                    b -> b.serverSelectionTimeout(serverSelectionTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        if (connection.getConnectTimeout() == null) {
            settings.applyToSocketSettings(
                    b -> b.connectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()),
                            TimeUnit.MILLISECONDS));
        }
        if (connection.getSocketTimeout() == null) {
            settings.applyToSocketSettings(
                    b -> b.readTimeout((int) Math.min(Integer.MAX_VALUE, socketTimeout.toMillis()), TimeUnit.MILLISECONDS));
        }
        MongoClientSettings built = settings.build();
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(MongoClientFactory.class.getClassLoader());
        try {
            return MongoClients.create(built);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The connection string without its password, for logs. */
    static String redacted(String uri) {
        return uri == null ? null : uri.replaceFirst("(://[^:/@]*):[^@/]*@", "$1:***@");
    }
}
