package org.iasplatform.rest.internal;

import java.util.List;
import java.util.Optional;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.deploy.DeploymentInfo;
import org.iasplatform.api.deploy.DeploymentOutcome;
import org.iasplatform.api.deploy.Deployments;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.manager.PlatformManager;
import org.iasplatform.api.node.Nodes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deployments (schedules), the algorithm instances they run, and the nodes instances run on. */
public final class DeploymentApi {
    static final int DEFAULT_TAIL = 100;
    static final int MAX_TAIL = 10_000;

    private final Services services;
    private final ObjectMapper mapper;

    public DeploymentApi(Services services, ObjectMapper mapper) {
        this.services = services;
        this.mapper = mapper;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access configurator = Access.roles("configurator");
        return List.of(
                Route.of("POST", "/deployments", configurator, this::deploy),
                Route.of("GET", "/deployments", Access.ANY_ROLE, request -> ApiResponse.ok(deployments().deployments())),
                Route.of("GET", "/deployments/{job_id}", Access.ANY_ROLE, this::deployment),
                Route.of("DELETE", "/deployments/{job_id}", configurator, this::stop),
                Route.of("POST", "/deployments/{job_id}/run", configurator, this::run),
                Route.of("GET", "/instances", Access.ANY_ROLE, request -> ApiResponse.ok(instances().instances())),
                Route.of("GET", "/instances/{id}", Access.ANY_ROLE, this::instance),
                Route.of("GET", "/instances/{id}/logs", Access.roles("developer"), this::logs),
                Route.of("GET", "/nodes", Access.ANY_ROLE, this::nodes));
    }

    /**
     * A deployConfig.json (body or multipart part {@code file}) → 202 {@code {"request_id", "completed", "deployments":
     * [{"application_name", "algorithm_name", "instance_id", "job_id", "state", "next_run"}]}}; when the pipeline did not
     * answer in time, also {@code "status": "pending"} and where to look.
     */
    ApiResponse deploy(ApiRequest request) throws Exception {
        PlatformManager manager = platformManager();
        DeploymentOutcome outcome = manager.deploy(request.json(true));
        ObjectNode body = mapper.valueToTree(outcome);
        if (!outcome.completed()) {
            body.put("status", "pending");
            body.put("see", SensorApi.BASE + "/deployments");
        }
        return ApiResponse.accepted(body);
    }

    ApiResponse deployment(ApiRequest request) throws IasException {
        String job = request.variable("job_id");
        Optional<DeploymentInfo> info = deployments().deployment(job);
        return ApiResponse.ok(info.orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "job_id",
                "no deployment with job id '" + job + "'")));
    }

    /** Stops and unschedules: the schedule is stopped when this answers, the instance stops shortly after (202). */
    ApiResponse stop(ApiRequest request) throws IasException {
        String job = request.variable("job_id");
        platformManager().stopDeployment(job);
        return ApiResponse.accepted(mapper.createObjectNode().put("job_id", job).put("state", DeploymentInfo.STOPPED));
    }

    /** Runs now (an on-demand run): 202 once the scheduler has the run. */
    ApiResponse run(ApiRequest request) throws IasException {
        String job = request.variable("job_id");
        platformManager().runDeployment(job);
        return ApiResponse.accepted(mapper.createObjectNode().put("job_id", job).put("status", "run requested")
                .put("see", SensorApi.BASE + "/deployments/" + job));
    }

    ApiResponse instance(ApiRequest request) throws IasException {
        String id = request.variable("id");
        return ApiResponse.ok(instances().instance(id).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND, "id",
                "no algorithm instance with id '" + id + "'")));
    }

    /** {@code {"instance_id", "lines": [{"timestamp", "stream", "line"}]}}, the last {@code tail} lines, oldest first. */
    ApiResponse logs(ApiRequest request) throws IasException {
        String id = request.variable("id");
        int tail = tail(request.queryParam("tail"));
        ObjectNode body = mapper.createObjectNode();
        body.put("instance_id", id);
        body.set("lines", mapper.valueToTree(instances().logs(id, tail)));
        return ApiResponse.ok(body);
    }

    /** {@code {"strategy": in force, "strategies": [available], "nodes": [...]}}. */
    ApiResponse nodes(ApiRequest request) throws IasException {
        Nodes nodes = Services.require(services.nodes(), "server_lifecycle (nodes)");
        ObjectNode body = mapper.createObjectNode();
        body.put("strategy", nodes.strategy());
        body.set("strategies", mapper.valueToTree(nodes.strategies()));
        body.set("nodes", mapper.valueToTree(nodes.nodes()));
        return ApiResponse.ok(body);
    }

    static int tail(Optional<String> value) throws IasException {
        if (value.isEmpty()) {
            return DEFAULT_TAIL;
        }
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n >= 1 && n <= MAX_TAIL) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IasException(ErrorKind.INVALID, "tail", "expected an integer from 1 to " + MAX_TAIL + ", got '"
                + value.get() + "'");
    }

    private PlatformManager platformManager() throws IasException {
        return Services.require(services.platformManager(), "platform_manager");
    }

    private Deployments deployments() throws IasException {
        return Services.require(services.deployments(), "scheduler (deployments)");
    }

    private InstanceRegistry instances() throws IasException {
        return Services.require(services.instanceRegistry(), "server_lifecycle (algorithm instances)");
    }
}
