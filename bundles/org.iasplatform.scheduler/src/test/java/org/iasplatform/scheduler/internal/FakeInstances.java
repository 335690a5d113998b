package org.iasplatform.scheduler.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceLogLine;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;

/** An {@link InstanceRegistry} whose instances' states the test sets. */
final class FakeInstances implements InstanceRegistry {
    private final Map<String, InstanceState> states = new ConcurrentHashMap<>();

    void set(String instanceId, InstanceState state) {
        states.put(instanceId, state);
    }

    @Override
    public List<InstanceInfo> instances() {
        return states.keySet().stream().map(id -> instance(id).orElseThrow()).toList();
    }

    @Override
    public Optional<InstanceInfo> instance(String instanceId) {
        InstanceState state = states.get(instanceId);
        return state == null ? Optional.empty() : Optional.of(new InstanceInfo(instanceId, "App", "app-1", 1, "algo",
                "job", "process", "node-1", state, 0, 1, null, null, null, null, List.of()));
    }

    @Override
    public List<InstanceLogLine> logs(String instanceId, int tail) {
        return List.of();
    }

    @Override
    public Optional<InstanceInfo> authenticate(String instanceId, String token) {
        return Optional.empty();
    }

    @Override
    public Optional<InstanceInfo> authenticate(String token) {
        return Optional.empty();
    }
}
