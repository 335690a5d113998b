package org.iasplatform.rest.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.notification.Notifications;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.service.PlatformServices;
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
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile AppRepository appRepository;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Deployments deployments;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile InstanceRegistry instanceRegistry;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Nodes nodes;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile NodeDecommissioning nodeDecommissioning;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile NodeProvisioning nodeProvisioning;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Notifications notifications;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile Alerts alerts;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile InfrastructureEndpoints infrastructure;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private transient volatile PlatformServices platformServices;

    private final transient ObjectMapper mapper = Json.newMapper();
    private final transient ThreadPoolExecutor healthExecutor;
    /** The open server-sent event streams; they outlive a reconfiguration, and end when the component does. */
    private final transient EventStreams streams;
    private transient volatile Dispatcher dispatcher;

    @Activate
    public RestServlet(RestConfig config) {
        AtomicInteger threads = new AtomicInteger();
        healthExecutor = new ThreadPoolExecutor(0, 8, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, "ias-rest-health-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        streams = new EventStreams(Duration.ofSeconds(config.stream__keepalive__seconds()), config.max__streams());
        configure(config);
    }

    @Modified
    void modified(RestConfig config) {
        configure(config);
    }

    @Deactivate
    void deactivate() {
        streams.closeAll();
        healthExecutor.shutdownNow();
    }

    private void configure(RestConfig config) {
        Authenticator authenticator = new CachingAuthenticator(new JaasAuthenticator(config.jaas__realm()),
                config.auth__cache__seconds(), System::nanoTime);
        streams.configure(Duration.ofSeconds(config.stream__keepalive__seconds()), config.max__streams());
        dispatcher = new Dispatcher(new Router(RestApi.routes(this, mapper, healthExecutor, streams,
                config.max__upload__bytes())), authenticator, mapper, config.max__body__bytes(),
                new LoginThrottle(LoginThrottle.Limits.of(config), System::nanoTime));
        LOG.info("REST API at /ias/api/v1: JAAS realm {}, bodies up to {} bytes (app uploads {}), logins cached {} s, "
                + "up to {} event streams", config.jaas__realm(), config.max__body__bytes(), config.max__upload__bytes(),
                config.auth__cache__seconds(), config.max__streams());
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

    @Override
    public AppRepository appRepository() {
        return appRepository;
    }

    @Override
    public Deployments deployments() {
        return deployments;
    }

    @Override
    public InstanceRegistry instanceRegistry() {
        return instanceRegistry;
    }

    @Override
    public Nodes nodes() {
        return nodes;
    }

    @Override
    public NodeDecommissioning nodeDecommissioning() {
        return nodeDecommissioning;
    }

    @Override
    public NodeProvisioning nodeProvisioning() {
        return nodeProvisioning;
    }

    @Override
    public Notifications notifications() {
        return notifications;
    }

    @Override
    public Alerts alerts() {
        return alerts;
    }

    @Override
    public InfrastructureEndpoints infrastructure() {
        return infrastructure;
    }

    @Override
    public PlatformServices platformServices() {
        return platformServices;
    }
}
