package org.iasplatform.messaging.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

import org.iasplatform.api.infra.InfrastructureEndpoints;
import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.iasplatform.api.messaging.Topics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform's {@link Messaging} service over the Kafka cluster named by {@link InfrastructureEndpoints}. Creates the
 * platform's fixed topics in the background when activated.
 */
@Component(service = Messaging.class, immediate = true, configurationPid = "org.iasplatform.messaging",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = KafkaMessagingComponent.Config.class)
public class KafkaMessagingComponent implements Messaging {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessagingComponent.class);

    @ObjectClassDefinition(name = "IAS messaging (Kafka)",
            description = "How the platform talks to Kafka; the brokers come from the infrastructure endpoints.")
    public @interface Config {
        @AttributeDefinition(name = "Default partitions", min = "1",
                description = "Partitions of the topics the platform creates.")
        int default__partitions() default 3;

        @AttributeDefinition(name = "Replication factor", min = "1",
                description = "Replication factor of the topics the platform creates (at most the number of brokers).")
        short replication__factor() default 1;

        @AttributeDefinition(name = "Request time-out (ms)", min = "1000",
                description = "How long a request to Kafka may take before the caller sees an error.")
        int request__timeout__ms() default 15000;

        @AttributeDefinition(name = "Client id prefix", description = "Prefix of every Kafka client id.")
        String client__id__prefix() default "ias";

        @AttributeDefinition(name = "Group session time-out (ms)", min = "6000",
                description = "How long a consumer group member (a platform instance's component) may be silent before its "
                        + "partitions go to the other members: the work of a killed platform instance moves after this.")
        int group__session__timeout__ms() default 10_000;

        @AttributeDefinition(name = "Leader session time-out (ms)", min = "6000",
                description = "How long after a leader (e.g. the platform instance serving the devices) dies another is "
                        + "elected; also how long a leader cut off from Kafka keeps leading before it steps down.")
        int leader__session__timeout__ms() default 6000;
    }

    private final KafkaMessaging messaging;

    @Activate
    public KafkaMessagingComponent(@Reference InfrastructureEndpoints endpoints, Config config) {
        Settings settings = new Settings(config.default__partitions(), config.replication__factor(),
                Duration.ofMillis(config.request__timeout__ms()), config.client__id__prefix(),
                Duration.ofMillis(config.group__session__timeout__ms()),
                Duration.ofMillis(config.leader__session__timeout__ms()));
        this.messaging = new KafkaMessaging(endpoints.kafkaBootstrapServers(), settings);
        messaging.ensureTopicsInBackground(Topics.ALL);
        LOG.info("Messaging over Kafka at {}{}", messaging.bootstrapServers(),
                endpoints.embeddedKafka() ? " (embedded)" : "");
    }

    @Deactivate
    void deactivate() {
        messaging.close();
    }

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        return messaging.publish(topic, key, json);
    }

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        return messaging.subscribe(group, topics, handler);
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        return messaging.subscribe(group, topics, handler);
    }

    @Override
    public Leadership lead(String role, LeadershipListener listener) {
        return messaging.lead(role, listener);
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        return messaging.follow(topics, handler);
    }

    @Override
    public void ensureTopics(Collection<String> topics) throws MessagingException {
        messaging.ensureTopics(topics);
    }

    @Override
    public void deleteTopics(Collection<String> topics) throws MessagingException {
        messaging.deleteTopics(topics);
    }

    @Override
    public List<Message> latest(String topic, int count, Duration timeout) throws MessagingException {
        return messaging.latest(topic, count, timeout);
    }

    @Override
    public boolean isReachable(Duration timeout) {
        return messaging.isReachable(timeout);
    }

    @Override
    public List<SubscriptionInfo> consumers() {
        return messaging.consumers();
    }

    @Override
    public List<SubscriptionInfo> consumers(Duration lagTimeout) {
        return messaging.consumers(lagTimeout);
    }
}
