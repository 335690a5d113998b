package org.iasplatform.rest.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.spi.LoginModule;
import javax.servlet.MultipartConfigElement;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * The real {@link RestServlet} served over HTTP by an embedded Jetty (the servlet container pax-web embeds) on a free
 * port, logging in through a JAAS realm of one login module; {@link #close()} stops it and restores the JAAS
 * configuration.
 */
final class ServedApi implements AutoCloseable {
    private final Configuration previousJaas;
    private final Server server;
    final RestServlet servlet;
    /** The API's base URL, {@code http://127.0.0.1:<port>/ias/api/v1}. */
    final String base;

    /**
     * @param config the servlet's configuration: these attributes, the annotation's defaults for the others
     * @param wire   called with the servlet before it is served (its services)
     */
    ServedApi(String realm, Class<? extends LoginModule> loginModule, Map<String, Object> config,
            ThrowingConsumer<RestServlet> wire) throws Exception {
        previousJaas = Configuration.getConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return realm.equals(name) ? new AppConfigurationEntry[] {new AppConfigurationEntry(loginModule.getName(),
                        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of())} : null;
            }
        });
        RestConfig restConfig = (RestConfig) Proxy.newProxyInstance(ServedApi.class.getClassLoader(),
                new Class<?>[] {RestConfig.class}, (p, m, a) -> m.getName().equals("annotationType") ? RestConfig.class
                        : config.getOrDefault(m.getName(), m.getDefaultValue()));
        servlet = new RestServlet(restConfig);
        wire.accept(servlet);
        server = new Server(0);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("ias-rest-api", servlet);
        holder.getRegistration().setMultipartConfig(
                new MultipartConfigElement(Files.createTempDirectory("ias-rest-test").toString()));
        context.addServlet(holder, "/ias/api/v1/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/ias/api/v1";
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
            servlet.deactivate();
        } finally {
            Configuration.setConfiguration(previousJaas);
        }
    }

    /** A consumer that may throw (wiring by the tests). */
    interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }
}
