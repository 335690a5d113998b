package org.iasplatform.rest.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorRegistry;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.http.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The REST API at {@code /ias/api/v1/*} on the HTTP Whiteboard. The platform services are optional, dynamic references:
 * while one is missing the routes needing it answer 503 and {@code /health} says which, rather than the API vanishing.
 */
@Component(service = Servlet.class, configurationPid = RestConfig.PID,
        property = "osgi.http.whiteboard.servlet.multipart.enabled:Boolean=true")
@HttpWhiteboardServletPattern("/ias/api/v1/*")
@HttpWhiteboardServletName("ias-rest-api")
@Designate(ocd = RestConfig.class)
public class RestServlet extends HttpServlet implements Services {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestServlet.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformManager platformManager;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile SensorRegistry sensorRegistry;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile SensorConnections sensorConnections;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Messaging messaging;

    private final transient ObjectMapper mapper = Json.newMapper();
    private final transient ThreadPoolExecutor healthExecutor;
    private transient volatile Dispatcher dispatcher;

    @Activate
    public RestServlet(RestConfig config) {
        AtomicInteger threads = new AtomicInteger();
        healthExecutor = new ThreadPoolExecutor(0, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, "ias-rest-health-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        configure(config);
    }

    @Modified
    void modified(RestConfig config) {
        configure(config);
    }

    @Deactivate
    void deactivate() {
        healthExecutor.shutdownNow();
    }

    private void configure(RestConfig config) {
        Authenticator authenticator = new CachingAuthenticator(new JaasAuthenticator(config.jaas__realm()),
                config.auth__cache__seconds(), System::nanoTime);
        dispatcher = new Dispatcher(new Router(RestApi.routes(this, mapper, healthExecutor)), authenticator, mapper,
                config.max__body__bytes());
        LOG.info("REST API at /ias/api/v1: JAAS realm {}, bodies up to {} bytes, logins cached {} s", config.jaas__realm(),
                config.max__body__bytes(), config.auth__cache__seconds());
    }

    /** The route table: every route with its method, path template and role rule. */
    public List<Route> routes() {
        return dispatcher.router().routes();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        dispatcher.dispatch(request, response);
    }

    @Override
    public PlatformManager platformManager() {
        return platformManager;
    }

    @Override
    public SensorRegistry sensorRegistry() {
        return sensorRegistry;
    }

    @Override
    public SensorConnections sensorConnections() {
        return sensorConnections;
    }

    @Override
    public Messaging messaging() {
        return messaging;
    }
}
