package org.iasplatform.rest.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.manager.RegistrationOutcome;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.node.NodeStatus;
import org.iasplatform.api.node.Decommission;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.NodeState;
import org.iasplatform.api.node.Nodes;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;
import org.iasplatform.api.notification.Notification;
import org.iasplatform.api.notification.Notifications;
import org.iasplatform.api.alert.Alert;
import org.iasplatform.api.alert.AlertFilter;
import org.iasplatform.api.alert.Alerts;
import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnections;
import org.iasplatform.api.sensor.SensorInstance;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.sensor.SensorStatus;
import org.iasplatform.api.sensor.SensorType;
import org.iasplatform.api.service.PlatformServices;
import org.iasplatform.api.service.ServiceEvent;
import org.iasplatform.api.service.ServiceHealth;
import org.iasplatform.testsupport.RecordingMessaging;

import com.fasterxml.jackson.databind.JsonNode;

/** In-memory platform services for the dispatcher tests. */
final class FakeServices implements Services {
    final Map<String, SensorType> types = new LinkedHashMap<>();
    final Map<String, SensorInstance> instances = new LinkedHashMap<>();
    final Map<String, SensorStatus> statuses = new LinkedHashMap<>();
    final List<Object> calls = new CopyOnWriteArrayList<>();
    /** Thrown by every PlatformManager call when set. */
    Exception failure;
    boolean completed = true;
    boolean registryPresent = true;
    boolean platformManagerPresent = true;
    /** Names of services to hide (answer null): "apps", "deployments", "instances", "nodes", "notifications", "infra", "messaging". */
    final Set<String> absent = ConcurrentHashMap.newKeySet();

    // apps
    final Map<String, List<AppVersion>> apps = new LinkedHashMap<>();
    /** What upload received: the bytes, the id, the user. */
    final List<Object[]> uploads = new ArrayList<>();
    Exception uploadFailure;
    final Map<String, byte[]> packages = new LinkedHashMap<>();

    // deployments, instances, nodes, notifications
    DeploymentOutcome outcome = new DeploymentOutcome("r-9", true, List.of());
    final Map<String, DeploymentInfo> deployments = new LinkedHashMap<>();
    final Map<String, InstanceInfo> algorithmInstances = new ConcurrentHashMap<>();
    /** token → instance id */
    final Map<String, String> tokens = new ConcurrentHashMap<>();
    final List<InstanceLogLine> logLines = new ArrayList<>();
    int lastTail;
    final List<NodeStatus> nodeList = new ArrayList<>();
    final List<Notification> notificationList = new ArrayList<>();
    final List<Alert> alertList = new CopyOnWriteArrayList<>();
    final Set<String> readIds = new HashSet<>();

    // messaging
    final RecordingMessaging messaging = new RecordingMessaging();

    // platform services ("services" in absent hides them)
    final List<ServiceHealth> serviceList = new ArrayList<>();
    final List<ServiceEvent> serviceEvents = new ArrayList<>();
    /** The arguments of the last events call: component, platform, limit. */
    final List<Object> lastEventsQuery = new CopyOnWriteArrayList<>();
    final PlatformServices platformServices = new PlatformServices() {
        @Override
        public String platformId() {
            return "root@test";
        }

        @Override
        public List<ServiceHealth> services() {
            return List.copyOf(serviceList);
        }

        @Override
        public List<ServiceEvent> events(String component, String platform, int limit) {
            lastEventsQuery.clear();
            lastEventsQuery.addAll(java.util.Arrays.asList(component, platform, limit));
            return serviceEvents.stream().filter(e -> component == null || e.component().equals(component))
                    .filter(e -> platform == null || e.platform().equals(platform)).limit(limit).toList();
        }
    };

    final PlatformManager platformManager = new PlatformManager() {
        @Override
        public RegistrationOutcome<String> registerSensorTypes(JsonNode document) throws IasException {
            fail();
            calls.add(document);
            return new RegistrationOutcome<>("r-1", completed, completed ? List.of("gps") : List.of());
        }

        @Override
        public void deleteSensorType(String name) throws IasException {
            fail();
            calls.add("deleteType " + name);
        }

        @Override
        public RegistrationOutcome<SensorInstance> registerSensorInstances(JsonNode document) throws IasException {
            fail();
            calls.add(document);
            return new RegistrationOutcome<>("r-2", completed, completed ? List.copyOf(instances.values()) : List.of());
        }

        @Override
        public void deleteSensorInstance(String id) throws IasException {
            fail();
            calls.add("deleteInstance " + id);
        }

        @Override
        public void sendControl(String sensorInstanceId, ControlCommand command) throws IasException {
            fail();
            calls.add(sensorInstanceId + " " + command);
        }

        @Override
        public DeploymentOutcome deploy(JsonNode document) throws IasException {
            fail();
            calls.add(document);
            return outcome;
        }

        @Override
        public void stopDeployment(String jobId) throws IasException {
            fail();
            calls.add("stop " + jobId);
        }

        @Override
        public void runDeployment(String jobId) throws IasException {
            fail();
            calls.add("run " + jobId);
        }

        private void fail() throws IasException {
            if (failure instanceof IasException e) {
                throw e;
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
        }
    };

    final SensorRegistry registry = new SensorRegistry() {
        @Override
        public List<SensorType> sensorTypes() {
            return List.copyOf(types.values());
        }

        @Override
        public Optional<SensorType> sensorType(String name) {
            return Optional.ofNullable(types.get(name));
        }

        @Override
        public List<SensorInstance> sensorInstances(String sensorType, Map<String, String> tags) {
            return instances.values().stream().filter(i -> sensorType == null || i.sensorType().equals(sensorType))
                    .filter(i -> i.matches(tags)).toList();
        }

        @Override
        public Optional<SensorInstance> sensorInstance(String id) {
            return Optional.ofNullable(instances.get(id));
        }
    };

    final SensorConnections connections = new SensorConnections() {
        @Override
        public List<SensorStatus> statuses() {
            return List.copyOf(statuses.values());
        }

        @Override
        public Optional<SensorStatus> status(String id) {
            return Optional.ofNullable(statuses.get(id));
        }
    };

    final AppRepository appRepository = new AppRepository() {
        @Override
        public AppVersion upload(InputStream zip, String applicationId, String uploadedBy) throws IasException {
            byte[] bytes;
            try {
                bytes = zip.readAllBytes();
            } catch (IOException e) {
                throw new IasException(ErrorKind.INVALID, "", "the archive cannot be read: " + e.getMessage());
            }
            uploads.add(new Object[] {bytes, applicationId, uploadedBy});
            if (uploadFailure instanceof IasException e) {
                throw e;
            }
            String id = applicationId == null ? "bus" : applicationId;
            List<AppVersion> versions = apps.computeIfAbsent(id, k -> new ArrayList<>());
            AppVersion v = FakeServices.app(id, "Bus_management", versions.size() + 1);
            versions.add(v);
            packages.put(id + ":" + v.version(), bytes);
            return v;
        }

        @Override
        public List<AppVersion> apps() {
            return apps.values().stream().map(v -> v.get(v.size() - 1)).toList();
        }

        @Override
        public List<AppVersion> versions(String idOrName) {
            return apps.entrySet().stream().filter(e -> e.getKey().equals(idOrName)
                    || e.getValue().get(0).applicationName().equals(idOrName)).findFirst().map(Map.Entry::getValue)
                    .map(List::copyOf).orElse(List.of());
        }

        @Override
        public Optional<AppVersion> latest(String idOrName) {
            List<AppVersion> v = versions(idOrName);
            return v.isEmpty() ? Optional.empty() : Optional.of(v.get(v.size() - 1));
        }

        @Override
        public Optional<AppVersion> version(String idOrName, int version) {
            return version <= 0 ? latest(idOrName) : versions(idOrName).stream().filter(v -> v.version() == version).findFirst();
        }

        @Override
        public void download(String idOrName, int version, OutputStream out) throws IasException {
            byte[] bytes = packages.get(idOrName + ":" + version);
            if (bytes == null) {
                throw new IasException(ErrorKind.NOT_FOUND, "id", "no package");
            }
            try {
                out.write(bytes);
            } catch (IOException e) {
                throw new IasException(ErrorKind.UNAVAILABLE, "", e.getMessage());
            }
        }

        @Override
        public void delete(String idOrName) throws IasException {
            if (versions(idOrName).isEmpty()) {
                throw new IasException(ErrorKind.NOT_FOUND, "id", "no application " + idOrName);
            }
            if (algorithmInstances.values().stream().anyMatch(i -> i.applicationName().equals(idOrName)
                    && i.state().isActive())) {
                throw new IasException(ErrorKind.CONFLICT, "id", "instances of " + idOrName + " are running");
            }
            calls.add("deleteApp " + idOrName);
        }
    };

    final Deployments deploymentService = new Deployments() {
        @Override
        public List<DeploymentInfo> deployments() {
            return List.copyOf(deployments.values());
        }

        @Override
        public Optional<DeploymentInfo> deployment(String jobId) {
            return Optional.ofNullable(deployments.get(jobId));
        }
    };

    final InstanceRegistry instanceRegistry = new InstanceRegistry() {
        @Override
        public List<InstanceInfo> instances() {
            return List.copyOf(algorithmInstances.values());
        }

        @Override
        public Optional<InstanceInfo> instance(String instanceId) {
            return Optional.ofNullable(algorithmInstances.get(instanceId));
        }

        @Override
        public List<InstanceLogLine> logs(String instanceId, int tail) throws IasException {
            if (!algorithmInstances.containsKey(instanceId)) {
                throw new IasException(ErrorKind.NOT_FOUND, "id", "no instance " + instanceId);
            }
            lastTail = tail;
            return logLines.subList(Math.max(0, logLines.size() - tail), logLines.size());
        }

        @Override
        public Optional<InstanceInfo> authenticate(String instanceId, String token) {
            return instanceId.equals(tokens.get(token)) ? instance(instanceId) : Optional.empty();
        }

        @Override
        public Optional<InstanceInfo> authenticate(String token) {
            String id = tokens.get(token);
            return id == null ? Optional.empty() : instance(id);
        }
    };

    final Nodes nodes = new Nodes() {
        @Override
        public List<NodeStatus> nodes() {
            return List.copyOf(nodeList);
        }

        @Override
        public Optional<NodeStatus> node(String nodeId) {
            return nodeList.stream().filter(n -> n.nodeId().equals(nodeId)).findFirst();
        }

        @Override
        public String strategy() {
            return "least-load";
        }

        @Override
        public List<String> strategies() {
            return List.of("fewest-instances", "least-load");
        }
    };

    // node provisioning and decommissioning ("provisioning", "decommissioning" in absent hide them)
    final List<ProvisionRequest> provisionRequests = new CopyOnWriteArrayList<>();
    final List<String> decommissioned = new CopyOnWriteArrayList<>();
    /** Thrown by provision and decommission when set. */
    IasException nodeAdminFailure;
    final NodeProvisioning nodeProvisioning = new NodeProvisioning() {
        @Override
        public Provision provision(ProvisionRequest request) throws IasException {
            if (nodeAdminFailure != null) {
                throw nodeAdminFailure;
            }
            provisionRequests.add(request);
            return provision("prov-" + provisionRequests.size()).orElseThrow();
        }

        @Override
        public Optional<Provision> provision(String provisionId) {
            int n = provisionId.startsWith("prov-") ? Integer.parseInt(provisionId.substring(5)) : 0;
            if (n < 1 || n > provisionRequests.size()) {
                return Optional.empty();
            }
            ProvisionRequest r = provisionRequests.get(n - 1);
            return Optional.of(new Provision(provisionId, r.nodeId(), r.host(), r.user(), r.port() == null ? 22
                    : r.port(), "ias-node-" + r.nodeId(), Provision.State.RUNNING, "connect", List.of("connect: node "
                            + r.nodeId()), null, java.time.Instant.parse("2025-06-01T08:00:00Z"), null));
        }

        @Override
        public List<Provision> provisions() {
            List<Provision> all = new ArrayList<>();
            for (int i = provisionRequests.size(); i >= 1; i--) {
                provision("prov-" + i).ifPresent(all::add);
            }
            return all;
        }
    };
    final NodeDecommissioning nodeDecommissioning = new NodeDecommissioning() {
        @Override
        public Decommission decommission(String nodeId, boolean force) throws IasException {
            if (nodeAdminFailure != null) {
                throw nodeAdminFailure;
            }
            decommissioned.add(nodeId + (force ? " (forced)" : ""));
            return new Decommission(nodeId, NodeState.DRAINING, java.time.Instant.parse("2025-06-01T08:00:00Z"), force,
                    List.of("i-1"), "moving 1 instance of node " + nodeId + " to other nodes");
        }
    };

    final Notifications notifications = new Notifications() {
        @Override
        public List<Notification> forRecipient(String user, Collection<String> roles, int limit) {
            calls.add("notifications " + user + " " + new java.util.TreeSet<>(roles) + " " + limit);
            return notificationList.stream().filter(n -> n.to().equals(user) || roles.contains(n.to())).limit(limit).toList();
        }

        @Override
        public boolean markRead(String id, String user, Collection<String> roles) {
            boolean mine = notificationList.stream().anyMatch(n -> n.id().equals(id) && (n.to().equals(user) || roles.contains(n.to())));
            if (mine) {
                readIds.add(id);
            }
            return mine;
        }
    };

    final Alerts alerts = new Alerts() {
        @Override
        public List<Alert> list(AlertFilter filter, String user, Collection<String> roles) {
            calls.add("alerts " + user + " " + new java.util.TreeSet<>(roles) + " " + filter);
            return alertList.stream().filter(a -> a.isFor(user, roles)).filter(a -> filter.kind() == null
                    || a.kind() == filter.kind()).filter(a -> filter.state() == null || a.state() == filter.state())
                    .limit(filter.limit()).toList();
        }

        @Override
        public Optional<Alert> alert(String id, String user, Collection<String> roles) {
            return alertList.stream().filter(a -> a.id().equals(id) && a.isFor(user, roles)).findFirst();
        }

        @Override
        public Alert acknowledge(String id, String user, Collection<String> roles) throws IasException {
            Alert a = alert(id, user, roles).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "id",
                    "no alert '" + id + "' is for you"));
            Alert acked = new Alert(a.id(), a.kind(), a.subject(), a.message(), a.roles(), a.users(), a.state(),
                    a.raisedAt(), a.resolvedAt(), user, java.time.Instant.parse("2025-06-01T09:00:00Z"));
            alertList.replaceAll(x -> x.id().equals(id) ? acked : x);
            return acked;
        }
    };

    final InfrastructureEndpoints infrastructure = new InfrastructureEndpoints() {
        @Override
        public String kafkaBootstrapServers() {
            return "127.0.0.1:9092";
        }

        @Override
        public String mongoUri() {
            return "mongodb://127.0.0.1:27017";
        }

        @Override
        public boolean embeddedKafka() {
            return true;
        }

        @Override
        public boolean embeddedMongo() {
            return true;
        }
    };

    static AppVersion app(String id, String name, int version) {
        return new AppVersion(id, name, version, "869", "dev", java.time.Instant.parse("2025-06-01T08:00:00Z"), 10, "ab",
                "pkg-" + version, "", false, List.of(new org.iasplatform.api.app.AlgorithmDescriptor("fareCalculator",
                        "fareCalculator.py", "process", List.of("gps-sensor"))), null);
    }

    /** The messages published to a topic, as text. */
    List<String> publishedTo(String topic) {
        return messaging.published(topic).stream().map(RecordingMessaging.Published::value).toList();
    }

    /** Delivers a message to the followers of a topic, as the bus would. */
    void deliver(String topic, String json) throws Exception {
        messaging.deliver(topic, "k", json);
    }

    /** The topic of each follow closed, in the order they were closed. */
    List<String> closedFollows() {
        return messaging.closed().stream().map(s -> s.topics().get(0)).toList();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public PlatformManager platformManager() {
        return platformManagerPresent ? platformManager : null;
    }

    @Override
    public SensorRegistry sensorRegistry() {
        return registryPresent ? registry : null;
    }

    @Override
    public SensorConnections sensorConnections() {
        return connections;
    }

    @Override
    public Messaging messaging() {
        return absent.contains("messaging") ? null : messaging;
    }

    @Override
    public AppRepository appRepository() {
        return absent.contains("apps") ? null : appRepository;
    }

    @Override
    public Deployments deployments() {
        return absent.contains("deployments") ? null : deploymentService;
    }

    @Override
    public InstanceRegistry instanceRegistry() {
        return absent.contains("instances") ? null : instanceRegistry;
    }

    @Override
    public Nodes nodes() {
        return absent.contains("nodes") ? null : nodes;
    }

    @Override
    public NodeDecommissioning nodeDecommissioning() {
        return absent.contains("decommissioning") ? null : nodeDecommissioning;
    }

    @Override
    public NodeProvisioning nodeProvisioning() {
        return absent.contains("provisioning") ? null : nodeProvisioning;
    }

    @Override
    public Notifications notifications() {
        return absent.contains("notifications") ? null : notifications;
    }

    @Override
    public Alerts alerts() {
        return absent.contains("alerts") ? null : alerts;
    }

    @Override
    public InfrastructureEndpoints infrastructure() {
        return absent.contains("infra") ? null : infrastructure;
    }

    @Override
    public PlatformServices platformServices() {
        return absent.contains("services") ? null : platformServices;
    }
}
