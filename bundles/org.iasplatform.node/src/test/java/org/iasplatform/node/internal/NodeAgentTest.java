package org.iasplatform.node.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.testsupport.RecordingMessaging;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.framework.Constants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/** The component: heartbeat content, the command subscription, the runtime whiteboard. */
public class NodeAgentTest {
    @Rule
    public final TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void heartbeatsNameTheRuntimesAndCountInstancesAndCommandsAreSubscribedInTheNodesGroup() throws Exception {
        RecordingMessaging messaging = new RecordingMessaging();
        Path dir = tmp.newFolder("instances").toPath();
        // the client connects lazily: nothing is read from it here
        try (MongoClient mongo = MongoClients.create("mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100")) {
            NodeAgent agent = new NodeAgent(messaging, mongo, config(Map.of("node__id", "n7", "instances__dir", dir.toString())));
            agent.addRuntime(new FakeRuntime(), Map.of(AppRuntime.PROPERTY_KIND, "process", Constants.SERVICE_ID, 11L));
            agent.addRuntime(new FakeRuntime(), Map.of(AppRuntime.PROPERTY_KIND, "bundle", Constants.SERVICE_ID, 12L));
            agent.activate();
            try {
                ObjectNode beat = agent.heartbeat();
                assertEquals("n7", beat.path("node_id").asText());
                assertEquals("[\"bundle\",\"process\"]", beat.path("runtimes").toString());
                assertEquals(0, beat.path("instances").asInt());
                assertTrue(beat.path("epoch").asLong() > 0);

                RecordingMessaging.Subscribed commands = messaging.subscriptions().get(0);
                assertEquals("node-n7", commands.group());
                assertEquals(List.of(Topics.nodeCommands("n7")), commands.topics());

                agent.removeRuntime(null, Map.of(Constants.SERVICE_ID, 12L));
                assertEquals("[\"process\"]", agent.heartbeat().path("runtimes").toString());
                InstanceManagerTest.await("a heartbeat published",
                        () -> !messaging.published(Topics.NODE_HEARTBEATS).isEmpty());
                InstanceManagerTest.await("the command topic created",
                        () -> messaging.ensured().contains(Topics.nodeCommands("n7")));
            } finally {
                agent.deactivate();
            }
            assertTrue(!messaging.subscriptions().get(0).isAlive());
        }
    }

    @Test
    public void theInstancesFolderDefaultsUnderKarafData() {
        String old = System.getProperty("karaf.data");
        try {
            System.setProperty("karaf.data", "/opt/karaf/data");
            assertEquals(Path.of("/opt/karaf/data/ias/instances"), NodeAgent.instancesDir(config(Map.of())));
            System.clearProperty("karaf.data");
            assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "ias", "instances").toAbsolutePath(),
                    NodeAgent.instancesDir(config(Map.of())));
            assertEquals(Path.of("/srv/x"), NodeAgent.instancesDir(config(Map.of("instances__dir", "/srv/x"))));
        } finally {
            if (old == null) {
                System.clearProperty("karaf.data");
            } else {
                System.setProperty("karaf.data", old);
            }
        }
    }

    /** A Config with its defaults, some overridden by method name. */
    static NodeAgent.Config config(Map<String, Object> overrides) {
        return (NodeAgent.Config) Proxy.newProxyInstance(NodeAgent.Config.class.getClassLoader(),
                new Class<?>[] { NodeAgent.Config.class }, (proxy, method, args) -> {
                    if (overrides.containsKey(method.getName())) {
                        return overrides.get(method.getName());
                    }
                    Object value = method.getDefaultValue();
                    if (value == null) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return value;
                });
    }
}
