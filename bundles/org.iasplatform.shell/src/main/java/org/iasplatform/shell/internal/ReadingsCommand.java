package org.iasplatform.shell.internal;

import java.time.Duration;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;
import org.iasplatform.api.sensor.Reading;
import org.iasplatform.api.sensor.SensorRegistry;

import com.fasterxml.jackson.core.JsonProcessingException;

@Command(scope = "ias", name = "readings", description = "Shows the latest readings of a sensor instance")
@Service
public class ReadingsCommand extends IasAction {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Reference
    SensorRegistry registry;

    @Reference
    Messaging messaging;

    @Argument(index = 0, name = "id", description = "The sensor instance id", required = true)
    @Completion(SensorInstanceIdCompleter.class)
    String id;

    @Option(name = "-n", aliases = "--count", description = "How many readings (1..1000, default 10)")
    int count = 10;

    @Override
    void run() throws Exception {
        if (count < 1 || count > 1000) {
            throw new IasException(ErrorKind.INVALID, "-n", "expected an integer from 1 to 1000, got " + count);
        }
        if (registry.sensorInstance(id).isEmpty()) {
            throw new IasException(ErrorKind.NOT_FOUND, "id", "no sensor instance with id '" + id + "' is registered");
        }
        List<Message> messages;
        try {
            messages = messaging.latest(Topics.dataTopic(id), count, TIMEOUT);
        } catch (MessagingException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the readings cannot be fetched right now: " + e.getMessage());
        }
        ShellTable table = new ShellTable().emptyTableText("no readings yet");
        table.column("Timestamp");
        table.column("Data");
        for (Message message : messages) {
            try {
                Reading reading = mapper.readValue(message.value(), Reading.class);
                table.addRow().addContent(Shell.time(reading.timestamp()), mapper.writeValueAsString(reading.data()));
            } catch (JsonProcessingException e) {
                table.addRow().addContent(Shell.time(message.timestamp()), "(not a reading) " + message.value());
            }
        }
        table.print(out);
    }
}
