package org.iasplatform.sensor.manager.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.iasplatform.api.sensor.ControlCommand;
import org.iasplatform.api.sensor.SensorConnection;
import org.iasplatform.api.sensor.SensorConnectionContext;
import org.iasplatform.api.sensor.SensorDriver;

/** A driver whose connections are driven by the test through their contexts. */
final class FakeDriver implements SensorDriver {
    static final class FakeConnection implements SensorConnection {
        final SensorConnectionContext context;
        final List<ControlCommand> commands = new CopyOnWriteArrayList<>();
        volatile boolean deviceConnected;
        volatile boolean closed;

        FakeConnection(SensorConnectionContext context) {
            this.context = context;
        }

        void deviceUp() {
            deviceConnected = true;
            context.connected();
        }

        @Override
        public void control(ControlCommand command) throws IOException {
            if (!deviceConnected || closed) {
                throw new IOException("device not connected");
            }
            commands.add(command);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    final String name;
    final List<FakeConnection> connections = new CopyOnWriteArrayList<>();
    volatile RuntimeException failConnect;

    FakeDriver(String name) {
        this.name = name;
    }

    @Override
    public SensorConnection connect(SensorConnectionContext context) {
        if (failConnect != null) {
            throw failConnect;
        }
        FakeConnection connection = new FakeConnection(context);
        connections.add(connection);
        return connection;
    }

    /** The open connection of an instance, or null. */
    FakeConnection open(String instanceId) {
        return connections.stream().filter(c -> !c.closed && c.context.instance().id().equals(instanceId)).findFirst()
                .orElse(null);
    }

    long openCount() {
        return connections.stream().filter(c -> !c.closed).count();
    }

    @Override
    public String toString() {
        return name;
    }
}
