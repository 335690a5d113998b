package org.iasplatform.rest.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns loudly when the HTTP service listens beyond loopback while one of the demo users (admin/admin, ...) can still log
 * in. Checked on activation, when this bundle's configuration changes and when pax-web's configuration changes.
 * <p>
 * Where pax-web listens: {@value #LISTENING_ADDRESSES} of PID {@value #PAX_WEB_PID} (what pax-web 8 binds to), else
 * {@value #HTTP_HOST} (the HTTP service's standard property, also read as a framework property), else 0.0.0.0.
 */
@Component(service = ConfigurationListener.class, immediate = true, configurationPid = RestConfig.PID)
public class DemoPasswordWarning implements ConfigurationListener {
    private static final Logger LOG = LoggerFactory.getLogger(DemoPasswordWarning.class);
    static final String PAX_WEB_PID = "org.ops4j.pax.web";
    static final String HTTP_HOST = "org.osgi.service.http.host";
    static final String LISTENING_ADDRESSES = "org.ops4j.pax.web.listening.addresses";
    static final String DEFAULT_HOST = "0.0.0.0";
    /** The demo users of etc/users.properties, user name = password. */
    static final List<String> DEMO_USERS = List.of("admin", "developer", "configurator", "user");

    private final ConfigurationAdmin configAdmin;
    private final BundleContext context;
    private final ExecutorService executor = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(2),
            r -> {
                Thread t = new Thread(r, "ias-rest-demo-password-check");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.DiscardPolicy());
    private volatile String realm;

    @Activate
    public DemoPasswordWarning(@Reference ConfigurationAdmin configAdmin, BundleContext context, RestConfig config) {
        this.configAdmin = configAdmin;
        this.context = context;
        this.realm = config.jaas__realm();
        scheduleCheck();
    }

    @Modified
    void modified(RestConfig config) {
        realm = config.jaas__realm();
        scheduleCheck();
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (PAX_WEB_PID.equals(event.getPid())) {
            scheduleCheck();
        }
    }

    private void scheduleCheck() {
        try {
            executor.execute(this::check);
        } catch (RejectedExecutionException e) {
            LOG.debug("demo password check not scheduled", e);
        }
    }

    private void check() {
        try {
            List<String> addresses = listeningAddresses();
            List<String> exposed = addresses.stream().filter(DemoPasswordWarning::beyondLoopback).toList();
            if (exposed.isEmpty()) {
                LOG.debug("HTTP listens on loopback only ({}); demo passwords not checked", addresses);
                return;
            }
            List<String> users = demoUsersThatLogIn(new JaasAuthenticator(realm));
            if (!users.isEmpty()) {
                LOG.warn(warning(users, exposed, realm));
            }
        } catch (RuntimeException e) {
            LOG.debug("demo password check failed", e);
        }
    }

    private List<String> listeningAddresses() {
        Map<String, Object> paxWeb = new LinkedHashMap<>();
        try {
            Configuration[] configs = configAdmin.listConfigurations("(service.pid=" + PAX_WEB_PID + ")");
            if (configs != null && configs.length > 0 && configs[0].getProperties() != null) {
                Dictionary<String, Object> props = configs[0].getProperties();
                for (String key : List.of(LISTENING_ADDRESSES, HTTP_HOST)) {
                    Object value = props.get(key);
                    if (value != null) {
                        paxWeb.put(key, value);
                    }
                }
            }
        } catch (IOException | InvalidSyntaxException e) {
            LOG.debug("cannot read the configuration {}", PAX_WEB_PID, e);
        }
        return listeningAddresses(paxWeb, context.getProperty(LISTENING_ADDRESSES), context.getProperty(HTTP_HOST));
    }

    static List<String> listeningAddresses(Map<String, Object> paxWebConfig, String frameworkAddresses, String frameworkHost) {
        for (Object value : new Object[] {paxWebConfig.get(LISTENING_ADDRESSES), paxWebConfig.get(HTTP_HOST),
                frameworkAddresses, frameworkHost}) {
            List<String> addresses = new ArrayList<>();
            if (value instanceof String[] array) {
                addresses.addAll(List.of(array));
            } else if (value != null) {
                for (String s : value.toString().split(",")) {
                    addresses.add(s.strip());
                }
            }
            addresses.removeIf(String::isEmpty);
            if (!addresses.isEmpty()) {
                return addresses;
            }
        }
        return List.of(DEFAULT_HOST);
    }

    /** Whether a listening address reaches beyond this machine (the wildcard, a real address, or one not understood). */
    static boolean beyondLoopback(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equalsIgnoreCase("localhost")) {
            return false;
        }
        if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return true; // a host name or an unresolved placeholder: assume the worst
        }
        try {
            return !InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return true;
        }
    }

    static List<String> demoUsersThatLogIn(Authenticator authenticator) {
        return DEMO_USERS.stream().filter(u -> authenticator.authenticate(u, u).isPresent()).toList();
    }

    static String warning(List<String> users, List<String> addresses, String realm) {
        String line = "*".repeat(100);
        StringBuilder sb = new StringBuilder("\n").append(line).append('\n');
        sb.append("* SECURITY WARNING: the HTTP service listens on ").append(String.join(", ", addresses))
                .append(" (beyond loopback) and\n");
        sb.append("* these demo users still log in with their user name as password (JAAS realm '").append(realm)
                .append("'): ").append(String.join(", ", users)).append('\n');
        sb.append("* Anyone who can reach the port can use the REST API (and the web console) as them.\n");
        sb.append("* Change their passwords (or remove them) in etc/users.properties, e.g. 'admin = NEW-SECRET,_g_:admingroup',\n");
        sb.append("* or with the shell: jaas:realm-manage --realm ").append(realm)
                .append("; jaas:user-add admin NEW-SECRET; jaas:update\n");
        sb.append("* or listen on loopback only: org.ops4j.pax.web.listening.addresses=127.0.0.1 in etc/org.ops4j.pax.web.cfg\n");
        sb.append(line);
        return sb.toString();
    }
}
