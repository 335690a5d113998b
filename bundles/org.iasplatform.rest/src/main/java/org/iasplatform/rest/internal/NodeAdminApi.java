package org.iasplatform.rest.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.node.NodeDecommissioning;
import org.iasplatform.api.node.NodeProvisioning;
import org.iasplatform.api.node.Provision;
import org.iasplatform.api.node.ProvisionRequest;
import org.iasplatform.api.validation.ValidationError;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Adding and removing nodes (platform admins): provisioning a node on a host over SSH, and decommissioning a node. The
 * password of a provisioning request is passed on, never answered nor logged.
 */
public final class NodeAdminApi {
    static final Set<String> PROVISION_FIELDS = Set.of("host", "user", "port", "node_id", "dir", "key_file", "password");

    private final Services services;
    private final ObjectMapper mapper;

    public NodeAdminApi(Services services, ObjectMapper mapper) {
        this.services = services;
        this.mapper = mapper;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access admin = Access.roles(Access.ADMIN);
        return List.of(
                Route.of("POST", "/nodes/provision", admin, this::provision),
                Route.of("GET", "/nodes/provision", admin, request -> ApiResponse.ok(provisioning().provisions())),
                Route.of("GET", "/nodes/provision/{provision_id}", admin, this::provisionStatus),
                Route.of("POST", "/nodes/{id}/decommission", admin, this::decommission));
    }

    /**
     * {@code {"host", "user", "port"?, "node_id"?, "dir"?, "key_file"?, "password"?}} → 202 with the provisioning as it
     * starts ({@code provision_id}, {@code state}, {@code progress}) and where to follow it.
     */
    ApiResponse provision(ApiRequest request) throws Exception {
        NodeProvisioning provisioning = provisioning();
        Provision started = provisioning.provision(provisionRequest(request.json(false)));
        ObjectNode body = mapper.valueToTree(started);
        body.put("see", SensorApi.BASE + "/nodes/provision/" + started.provisionId());
        return ApiResponse.accepted(body);
    }

    /** The body as a request; every field of the wrong type, and every unknown one, is reported at once. */
    static ProvisionRequest provisionRequest(JsonNode body) throws IasException {
        if (!body.isObject()) {
            throw new IasException(ErrorKind.INVALID, "", "expected a JSON object {\"host\", \"user\", \"port\", "
                    + "\"node_id\", \"dir\", \"key_file\", \"password\"}");
        }
        List<ValidationError> errors = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!PROVISION_FIELDS.contains(name)) {
                errors.add(new ValidationError("/" + name, "unknown field; expected host, user, port, node_id, dir, "
                        + "key_file, password"));
            }
        }
        String host = text(body, "host", errors);
        String user = text(body, "user", errors);
        Integer port = null;
        JsonNode p = body.get("port");
        if (p != null && !p.isNull()) {
            if (p.isIntegralNumber() && p.canConvertToInt()) {
                port = p.asInt();
            } else {
                errors.add(new ValidationError("/port", "expected an integer SSH port, got " + p));
            }
        }
        String nodeId = text(body, "node_id", errors);
        String dir = text(body, "dir", errors);
        String keyFile = text(body, "key_file", errors);
        String password = text(body, "password", errors);
        if (!errors.isEmpty()) {
            throw new IasException(ErrorKind.INVALID, errors);
        }
        return new ProvisionRequest(host, user, port, nodeId, dir, keyFile, password);
    }

    /** A text field (absent or null: null); another type is an error, never quoted (it may be the password). */
    private static String text(JsonNode body, String field, List<ValidationError> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new ValidationError("/" + field, "expected a string, got a " + v.getNodeType().name()
                    .toLowerCase(java.util.Locale.ROOT)));
            return null;
        }
        return v.asText();
    }

    ApiResponse provisionStatus(ApiRequest request) throws IasException {
        String id = request.variable("provision_id");
        return ApiResponse.ok(provisioning().provision(id).orElseThrow(() -> new IasException(ErrorKind.NOT_FOUND,
                "provision_id", "no provisioning '" + id + "' on this platform instance; expected an id listed by "
                        + "GET /nodes/provision")));
    }

    /**
     * Starts decommissioning a node: 202 with {@code {"node_id", "state", "requested_at", "force", "moving", "message"}};
     * {@code ?force=true} (or a body {@code {"force": true}}) when no other node can take its instances.
     */
    ApiResponse decommission(ApiRequest request) throws IasException, HttpProblem, IOException {
        NodeDecommissioning decommissioning = Services.require(services.nodeDecommissioning(),
                "server_lifecycle (decommissioning)");
        boolean force = flag(request.queryParam("force"));
        if (request.http().getContentLengthLong() > 0) {
            JsonNode body = request.json(false);
            JsonNode f = body.path("force");
            if (!body.isObject() || (!f.isMissingNode() && !f.isBoolean())) {
                throw new IasException(ErrorKind.INVALID, "/force", "expected {\"force\": true|false} or no body");
            }
            force |= f.asBoolean(false);
        }
        return ApiResponse.accepted(decommissioning.decommission(request.variable("id"), force));
    }

    private static boolean flag(Optional<String> value) throws IasException {
        if (value.isEmpty() || value.get().equals("false")) {
            return false;
        }
        if (value.get().equals("true") || value.get().isEmpty()) {
            return true;
        }
        throw new IasException(ErrorKind.INVALID, "force", "expected true or false, got '" + value.get() + "'");
    }

    private NodeProvisioning provisioning() throws IasException {
        return Services.require(services.nodeProvisioning(), "node provisioning");
    }
}
