package org.iasplatform.manager.internal;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AlgorithmDescriptor;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.sensor.SensorRegistry;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The semantic checks of a deploy config and the {@code pm_to_sensor_binder} messages it becomes (docs/pipeline-messages.md).
 * Reads the app repository, the sensor registry and the deployments; publishes nothing. Every entry is checked and every
 * problem reported at once, with JSON pointers into the caller's document.
 */
final class DeployPlanner {
    static final String START = "start";
    static final String STOP = "stop";
    static final String RUN = "run";

    /**
     * One algorithm entry, checked: the message to publish (without its {@code request_id}, keyed by {@code jobId}) and
     * what the outcome names.
     *
     * @param item            the entry and where it stands in the caller's document
     * @param op              {@value #START} or {@value #STOP}
     * @param jobId           the job (new for a start, the named one for a stop)
     * @param applicationName the application (as resolved in the repository for a start, as stored for a stop)
     * @param algorithmName   the algorithm
     * @param instanceId      the instance, when known already (a stop); null for a start
     * @param message         the message body
     */
    record Planned(DocumentForms.Item item, String op, String jobId, String applicationName, String algorithmName,
            String instanceId, ObjectNode message) {
    }

    /** The problems found so far, by the kind of refusal each calls for. */
    private static final class Problems {
        private final Map<ErrorKind, List<ValidationError>> byKind = new EnumMap<>(ErrorKind.class);

        void add(ErrorKind kind, String path, String message) {
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(new ValidationError(path, message));
        }

        /**
         * Refuses with every problem found, under the first kind of INVALID, NOT_FOUND, UNPROCESSABLE present (a malformed
         * entry is a 400 even when another entry also names a missing sensor).
         */
        void refuseIfAny() throws IasException {
            if (byKind.isEmpty()) {
                return;
            }
            List<ValidationError> all = new ArrayList<>();
            byKind.values().forEach(all::addAll);
            for (ErrorKind kind : List.of(ErrorKind.INVALID, ErrorKind.NOT_FOUND, ErrorKind.UNPROCESSABLE)) {
                if (byKind.containsKey(kind)) {
                    throw new IasException(kind, all);
                }
            }
            throw new IasException(byKind.keySet().iterator().next(), all);
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SensorRegistry registry;
    private final AppRepository apps;
    private final Supplier<Deployments> deployments;
    private final Supplier<String> jobIds;
    private final LongSupplier clock;

    /**
     * @param deployments the deployments service, or null when it is not there (only stop requests need it)
     * @param jobIds      a new job id per call
     * @param clock       epoch ms, for {@code requested_at}
     */
    DeployPlanner(SensorRegistry registry, AppRepository apps, Supplier<Deployments> deployments, Supplier<String> jobIds,
            LongSupplier clock) {
        this.registry = registry;
        this.apps = apps;
        this.deployments = deployments;
        this.jobIds = jobIds;
        this.clock = clock;
    }

    /** Checks every entry; the messages to publish, in the entries' order, when all of them pass. */
    List<Planned> plan(List<DocumentForms.Item> items) throws IasException {
        Problems problems = new Problems();
        Map<String, Boolean> bindable = new HashMap<>(); // one registry query per type + filter, not per entry
        List<Planned> planned = new ArrayList<>();
        for (DocumentForms.Item item : items) {
            Planned p = planEntry(item, problems, bindable);
            if (p != null) {
                planned.add(p);
            }
        }
        problems.refuseIfAny();
        return planned;
    }

    private Planned planEntry(DocumentForms.Item item, Problems problems, Map<String, Boolean> bindable) throws IasException {
        String at = item.pointer();
        JsonNode entry = item.node();
        if (entry == null || !entry.isObject()) {
            problems.add(ErrorKind.INVALID, at, "expected an algorithm object {application_name, algorithm_name, script_name, "
                    + "sensor_info, scheduling_info, environment}; got " + type(entry));
            return null;
        }
        JsonNode scheduling = entry.get("scheduling_info");
        if (scheduling == null || !scheduling.isObject()) {
            problems.add(ErrorKind.INVALID, at + "/scheduling_info", "scheduling_info is required: expected an object "
                    + "{request_type: start|stop, start_time, end_time, days, repeat, interval}");
            return null;
        }
        String requestType = scheduling.path("request_type").asText("").trim().toLowerCase(Locale.ROOT);
        if (requestType.equals(STOP)) {
            return planStop(item, scheduling, problems);
        }
        if (!requestType.equals(START)) {
            problems.add(ErrorKind.INVALID, at + "/scheduling_info/request_type", "request_type "
                    + (requestType.isEmpty() ? "is missing" : "\"" + requestType + "\" is not valid") + "; expected start or stop");
            return null;
        }
        return planStart(item, problems, bindable);
    }

    private Planned planStart(DocumentForms.Item item, Problems problems, Map<String, Boolean> bindable) {
        String at = item.pointer();
        JsonNode entry = item.node();
        String applicationName = requiredText(entry, "application_name", at, problems);
        String algorithmName = requiredText(entry, "algorithm_name", at, problems);
        JsonNode sensorInfo = entry.get("sensor_info");
        if (sensorInfo != null && !sensorInfo.isNull() && !sensorInfo.isArray()) {
            problems.add(ErrorKind.INVALID, at + "/sensor_info", "sensor_info must be a list of the sensors to bind, each "
                    + "{sensor_type, filter_sensors: [{tag: value}]}; got " + type(sensorInfo));
            sensorInfo = null;
        }
        AppVersion app = null;
        AlgorithmDescriptor algorithm = null;
        if (applicationName != null) {
            Optional<AppVersion> latest = apps.latest(applicationName);
            if (latest.isEmpty()) {
                problems.add(ErrorKind.UNPROCESSABLE, at + "/application_name", "application \"" + applicationName
                        + "\" is not uploaded; upload its app.zip first (POST /apps) or name an uploaded application");
            } else {
                app = latest.get();
                if (algorithmName != null) {
                    algorithm = app.algorithm(algorithmName).orElse(null);
                    if (algorithm == null) {
                        problems.add(ErrorKind.UNPROCESSABLE, at + "/algorithm_name", "application \"" + applicationName
                                + "\" (version " + app.version() + ") has no algorithm \"" + algorithmName
                                + "\"; expected one of " + app.algorithms().stream().map(AlgorithmDescriptor::name).toList());
                    }
                }
            }
        }
        if (sensorInfo != null) {
            for (int i = 0; i < sensorInfo.size(); i++) {
                checkBindable(sensorInfo.get(i), at + "/sensor_info/" + i, problems, bindable);
            }
        }
        if (app == null || algorithm == null) {
            return null;
        }
        String jobId = jobIds.get();
        ObjectNode message = NODES.objectNode();
        message.put("op", START);
        message.put("job_id", jobId);
        message.set("deploy", normalised(item.node(), app, algorithm));
        message.set("app", appFields(app, algorithm));
        message.put("requested_at", clock.getAsLong());
        return new Planned(item, START, jobId, app.applicationName(), algorithm.name(), null, message);
    }

    /** Whether one sensor_info entry can be bound now: some registered instance of its type matches its merged filters. */
    private void checkBindable(JsonNode sensor, String at, Problems problems, Map<String, Boolean> bindable) {
        if (sensor == null || !sensor.isObject()) {
            problems.add(ErrorKind.INVALID, at, "expected a sensor object {sensor_type, filter_sensors: [{tag: value}]}; got "
                    + type(sensor));
            return;
        }
        String type = sensor.path("sensor_type").asText("").trim();
        if (type.isEmpty()) {
            problems.add(ErrorKind.INVALID, at + "/sensor_type", "sensor_type is required: expected the name of a registered "
                    + "sensor type, e.g. \"gps-sensor\"");
            return;
        }
        Map<String, String> filter = mergedFilter(sensor.get("filter_sensors"), at + "/filter_sensors", problems);
        if (filter == null) {
            return;
        }
        String key = type + "\u0000" + filter;
        boolean found = bindable.computeIfAbsent(key, k -> !registry.sensorInstances(type, filter).isEmpty());
        if (found) {
            return;
        }
        if (registry.sensorType(type).isEmpty()) {
            problems.add(ErrorKind.UNPROCESSABLE, at, "sensor type \"" + type + "\" is not registered, so no sensor can be "
                    + "bound; register the type (POST /sensor-types) and an instance of it (POST /sensor-instances)");
        } else {
            problems.add(ErrorKind.UNPROCESSABLE, at, "no registered sensor instance of type \"" + type + "\" matches "
                    + (filter.isEmpty() ? "(no filter)" : "the filter " + describe(filter)) + "; register one"
                    + (filter.isEmpty() ? "" : " with these tags") + " (POST /sensor-instances) or change filter_sensors");
        }
    }

    /**
     * Every key/value of every object of {@code filter_sensors}, merged (values as text); null when the filter is
     * malformed or asks for two values of one tag (then a problem is recorded).
     */
    private static Map<String, String> mergedFilter(JsonNode filters, String at, Problems problems) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (filters == null || filters.isNull()) {
            return merged;
        }
        if (!filters.isArray()) {
            problems.add(ErrorKind.INVALID, at, "filter_sensors must be a list of filters, each an object of tag values, "
                    + "e.g. [{\"bus-id\": \"1\"}]; got " + type(filters));
            return null;
        }
        boolean ok = true;
        for (int k = 0; k < filters.size(); k++) {
            JsonNode filter = filters.get(k);
            if (!filter.isObject()) {
                problems.add(ErrorKind.INVALID, at + "/" + k, "expected an object of tag values, e.g. {\"bus-id\": \"1\"}; got "
                        + type(filter));
                ok = false;
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String tag = e.getKey();
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    problems.add(ErrorKind.INVALID, at + "/" + k + "/" + escape(tag), "the value of tag \"" + tag
                            + "\" must be text, a number or true/false; got " + type(e.getValue()));
                    ok = false;
                    continue;
                }
                String value = e.getValue().asText();
                String previous = merged.putIfAbsent(tag, value);
                if (previous != null && !previous.equals(value)) {
                    problems.add(ErrorKind.UNPROCESSABLE, at + "/" + k + "/" + escape(tag), "the filters ask for "
                            + tag + " = \"" + previous + "\" and " + tag + " = \"" + value + "\"; no sensor can have both, "
                            + "expected one value per tag");
                    ok = false;
                }
            }
        }
        return ok ? merged : null;
    }

    private Planned planStop(DocumentForms.Item item, JsonNode scheduling, Problems problems) throws IasException {
        String at = item.pointer() + "/scheduling_info/job_id";
        String jobId = jobIdOf(scheduling.get("job_id"));
        if (jobId == null) {
            problems.add(ErrorKind.INVALID, at, "job_id is required for a stop request: expected the id of the job to stop, as "
                    + "returned when it was deployed");
            return null;
        }
        Optional<DeploymentInfo> info = requireDeployments().deployment(jobId);
        if (info.isEmpty()) {
            problems.add(ErrorKind.NOT_FOUND, at, unknownJob(jobId));
            return null;
        }
        ObjectNode message = NODES.objectNode();
        message.put("op", STOP);
        message.put("job_id", jobId);
        DeploymentInfo d = info.get();
        return new Planned(item, STOP, jobId, d.applicationName(), d.algorithmName(), d.instanceId(), message);
    }

    /** The deployment a stop or run names; NOT_FOUND if unknown. */
    DeploymentInfo existingJob(String jobId) throws IasException {
        if (jobId == null || jobId.isBlank()) {
            throw new IasException(ErrorKind.INVALID, "job_id", "a job id is required: expected the id of a deployment, as "
                    + "returned when it was deployed");
        }
        return requireDeployments().deployment(jobId).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "job_id",
                unknownJob(jobId)));
    }

    private Deployments requireDeployments() throws IasException {
        Deployments d = deployments.get();
        if (d == null) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the deployments (kept by the scheduler) are not available, so "
                    + "the job cannot be looked up; nothing was sent, try again when the scheduler is running");
        }
        return d;
    }

    private static String unknownJob(String jobId) {
        return "job \"" + jobId + "\" is not known; expected the job_id of a deployment, as returned when it was deployed "
                + "(GET /deployments lists them)";
    }

    /** The entry as the pipeline carries it: {@code <deploy>} of docs/pipeline-messages.md. */
    private static ObjectNode normalised(JsonNode entry, AppVersion app, AlgorithmDescriptor algorithm) {
        ObjectNode deploy = NODES.objectNode();
        deploy.put("application_name", app.applicationName());
        deploy.put("algorithm_name", algorithm.name());
        ArrayNode scripts = deploy.putArray("script_name");
        JsonNode given = entry.get("script_name");
        if (given != null && given.isTextual()) {
            scripts.add(given.asText());
        } else if (given != null && given.isArray() && !given.isEmpty()) {
            given.forEach(s -> scripts.add(s.asText()));
        } else {
            scripts.add(fileName(algorithm.script()));
        }
        JsonNode sensorInfo = entry.get("sensor_info");
        deploy.set("sensor_info", sensorInfo == null || sensorInfo.isNull() ? NODES.arrayNode() : sensorInfo.deepCopy());
        deploy.set("scheduling_info", entry.get("scheduling_info").deepCopy());
        JsonNode environment = entry.get("environment");
        deploy.set("environment", environment == null || environment.isNull() ? NODES.objectNode() : environment.deepCopy());
        JsonNode restartPolicy = entry.get("restart_policy");
        if (restartPolicy != null && restartPolicy.isObject()) {
            deploy.set("restart_policy", restartPolicy.deepCopy()); // read by server-lifecycle when an instance crashes
        }
        return deploy;
    }

    /** {@code <app>}: the app version resolved now (the latest) and the algorithm's script and runtime. */
    private static ObjectNode appFields(AppVersion app, AlgorithmDescriptor algorithm) {
        ObjectNode node = NODES.objectNode();
        node.put("application_id", app.applicationId());
        node.put("version", app.version());
        node.put("package_id", app.packageId());
        node.put("root", app.root());
        node.put("script", algorithm.script());
        node.put("runtime", algorithm.runtime() == null || algorithm.runtime().isBlank()
                ? AlgorithmDescriptor.runtimeOf(algorithm.script()) : algorithm.runtime());
        return node;
    }

    private static String requiredText(JsonNode entry, String field, String at, Problems problems) {
        JsonNode value = entry.get(field);
        if (value == null || !value.isValueNode() || value.isNull() || value.asText().isBlank()) {
            problems.add(ErrorKind.INVALID, at + "/" + field, field + " is required: expected a name");
            return null;
        }
        return value.asText().trim();
    }

    private static String jobIdOf(JsonNode node) {
        if (node == null || !(node.isTextual() || node.canConvertToExactIntegral())) {
            return null;
        }
        String id = node.asText().trim();
        return id.isEmpty() ? null : id;
    }

    private static String fileName(String path) {
        if (path == null) {
            return "";
        }
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    private static String describe(Map<String, String> filter) {
        StringBuilder sb = new StringBuilder("{");
        filter.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": \"").append(v)
                .append('"'));
        return sb.append('}').toString();
    }

    /** A JSON pointer segment for a key ("~" and "/" escaped). */
    private static String escape(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    private static String type(JsonNode node) {
        return node == null ? "nothing" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }
}
