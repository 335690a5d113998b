package org.iasplatform.messaging.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DeleteTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.iasplatform.api.messaging.Leadership;
import org.iasplatform.api.messaging.LeadershipListener;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessageHandler;
import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Subscription;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Messaging} over a Kafka cluster: one shared idempotent producer, one shared admin client (both created on
 * first use), one consumer thread per subscription. Plain Java: the OSGi component only configures and closes it.
 */
public final class KafkaMessaging implements Messaging, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaMessaging.class);
    /** How often a pattern subscription refreshes metadata, so that new matching topics are consumed within seconds. */
    static final int PATTERN_METADATA_MAX_AGE_MS = 3000;
    private static final long ENSURE_RETRY_MIN_MS = 1000;
    private static final long ENSURE_RETRY_MAX_MS = 30_000;

    private final String bootstrapServers;
    private final Settings settings;
    private final AtomicInteger consumerCount = new AtomicInteger();
    private final Set<ConsumerLoop> subscriptions = ConcurrentHashMap.newKeySet();
    private final Set<LeaderElection> elections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object lock = new Object();
    private KafkaProducer<String, String> producer; // guarded by lock
    private Admin admin; // guarded by lock
    private Thread topicCreator; // guarded by lock
    private volatile boolean closed;

    public KafkaMessaging(String bootstrapServers, Settings settings) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("No Kafka bootstrap servers given");
        }
        this.bootstrapServers = bootstrapServers.trim();
        this.settings = settings;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    // ---------------------------------------------------------------------------------------------------- publishing

    @Override
    public CompletionStage<Void> publish(String topic, String key, String json) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            producer().send(new ProducerRecord<>(topic, key, json), (metadata, exception) -> {
                if (exception == null) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(publishFailure(topic, exception));
                }
            });
        } catch (RuntimeException e) {
            result.completeExceptionally(publishFailure(topic, e));
        }
        return result;
    }

    private MessagingException publishFailure(String topic, Throwable cause) {
        return new MessagingException("Publishing to topic " + topic + " at Kafka " + bootstrapServers + " failed: "
                + cause.getMessage(), cause);
    }

    private KafkaProducer<String, String> producer() {
        synchronized (lock) {
            checkOpen();
            if (producer == null) {
                Properties props = common("producer-" + consumerCount.incrementAndGet());
                props.put(ProducerConfig.ACKS_CONFIG, "all");
                props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
                props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
                props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, settings.requestTimeoutMs());
                props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                        (int) Math.min(Integer.MAX_VALUE, 2L * settings.requestTimeoutMs() + 5));
                producer = Tccl.withBundleLoader(
                        () -> new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()));
            }
            return producer;
        }
    }

    // ---------------------------------------------------------------------------------------------------- consuming

    @Override
    public Subscription subscribe(String group, Collection<String> topics, MessageHandler handler) {
        List<String> names = List.copyOf(topics);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("No topics to subscribe to");
        }
        // the topics exist before the consumer asks for them (no "unknown topic" rounds while a platform starts)
        try {
            ensureTopics(names);
        } catch (MessagingException e) {
            ensureTopicsInBackground(names);
        }
        return startGroupConsumer(group, handler, false, c -> c.subscribe(names), names.toString());
    }

    @Override
    public Subscription subscribe(String group, Pattern topics, MessageHandler handler) {
        return startGroupConsumer(group, handler, true, c -> c.subscribe(topics), "/" + topics.pattern() + "/");
    }

    private Subscription startGroupConsumer(String group, MessageHandler handler, boolean pattern,
            java.util.function.Consumer<KafkaConsumer<String, String>> subscribe, String what) {
        if (group == null || group.isBlank()) {
            throw new IllegalArgumentException("A consumer group is required");
        }
        String clientId = settings.clientIdPrefix() + "-" + group + "-" + consumerCount.incrementAndGet();
        Properties props = consumerProperties(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        sessionTimeout(props, settings.groupSessionTimeout());
        if (pattern) {
            props.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, PATTERN_METADATA_MAX_AGE_MS);
        }
        KafkaConsumer<String, String> consumer = newConsumer(props);
        ConsumerLoop loop = new ConsumerLoop(clientId, consumer, true, subscribe, handler, subscriptions::remove);
        register(loop, consumer);
        loop.start();
        LOG.info("Subscribed {} in group {} to {}", clientId, group, what);
        return loop;
    }

    @Override
    public Leadership lead(String role, LeadershipListener listener) {
        if (role == null || !role.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("A role is 1 to 100 letters, digits, '.', '_' or '-'; got '" + role + "'");
        }
        String topic = "ias_leader_" + role;
        try {
            ensureTopics(List.of(topic));
        } catch (MessagingException e) {
            ensureTopicsInBackground(List.of(topic));
        }
        String clientId = settings.clientIdPrefix() + "-leader-" + role + "-" + consumerCount.incrementAndGet();
        Properties props = consumerProperties(clientId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "ias-leader-" + role);
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        sessionTimeout(props, settings.leaderSessionTimeout());
        KafkaConsumer<String, String> consumer = newConsumer(props);
        LeaderElection election = new LeaderElection(role, clientId, consumer, topic, settings.leaderSessionTimeout(),
                listener, loop -> {
                    subscriptions.remove(loop);
                    elections.removeIf(e -> e.loop() == loop);
                });
        register(election.loop(), consumer); // listed with the subscriptions (the service watchdog sees it)
        elections.add(election);
        election.start();
        LOG.info("{} stands for the leadership of {}", clientId, role);
        return election;
    }

    private static void sessionTimeout(Properties props, Duration session) {
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) session.toMillis());
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Settings.heartbeatMs(session));
    }

    @Override
    public Subscription follow(Collection<String> topics, MessageHandler handler) {
        List<String> names = List.copyOf(new LinkedHashSet<>(topics));
        if (names.isEmpty()) {
            throw new IllegalArgumentException("No topics to follow");
        }
        String clientId = settings.clientIdPrefix() + "-follow-" + consumerCount.incrementAndGet();
        Properties props = consumerProperties(clientId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        KafkaConsumer<String, String> consumer = newConsumer(props);
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : names) {
                partitions.addAll(partitionsOf(consumer, topic, true));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition tp : partitions) {
                consumer.position(tp, settings.requestTimeout()); // fixes the position now, not at the first poll
            }
        } catch (MessagingException e) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException(e.getMessage(), e);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw new IllegalStateException(failure("following " + names, e).getMessage(), e);
        }
        ConsumerLoop loop = new ConsumerLoop(clientId, consumer, false, c -> { }, handler, subscriptions::remove);
        register(loop, consumer);
        loop.start();
        LOG.debug("Following {} with {}", names, clientId);
        return loop;
    }

    private void register(ConsumerLoop loop, KafkaConsumer<String, String> consumer) {
        synchronized (lock) {
            if (closed) {
                consumer.close(Duration.ZERO);
                throw new IllegalStateException("Messaging is closed");
            }
            subscriptions.add(loop);
        }
    }

    private Properties consumerProperties(String clientId) {
        Properties props = common(clientId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // topics are created by ensureTopics with the configured partitions, never implicitly with the broker's defaults
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
        return props;
    }

    private KafkaConsumer<String, String> newConsumer(Properties props) {
        checkOpen();
        return Tccl.withBundleLoader(
                () -> new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer()));
    }

    /** The partitions of a topic; an absent topic is created first when {@code create}, else has none. */
    private List<TopicPartition> partitionsOf(KafkaConsumer<String, String> consumer, String topic, boolean create)
            throws MessagingException {
        long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        boolean created = false;
        while (true) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(topic, settings.requestTimeout());
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                throw failure("reading the partitions of " + topic, e);
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> result = new ArrayList<>();
                for (PartitionInfo info : infos) {
                    result.add(new TopicPartition(info.topic(), info.partition()));
                }
                return result;
            }
            if (!create) {
                return List.of();
            }
            if (!created) {
                ensureTopics(List.of(topic));
                created = true;
            } else if (System.nanoTime() - deadline > 0) {
                throw new MessagingException("Topic " + topic + " has no partitions at Kafka " + bootstrapServers
                        + " " + seconds(settings.requestTimeout()) + " after it was created", null);
            } else {
                pause(100);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------- reading

    @Override
    public List<Message> latest(String topic, int count, Duration timeout) throws MessagingException {
        if (count <= 0) {
            return List.of();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Properties props = consumerProperties(settings.clientIdPrefix() + "-latest-" + consumerCount.incrementAndGet());
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                timeout.toMillis())));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = newConsumer(props)) {
            List<TopicPartition> partitions = partitionsOf(consumer, topic, false);
            if (partitions.isEmpty()) {
                return List.of();
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, remaining(deadline));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
            Map<TopicPartition, Long> pending = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long to = end.getOrDefault(tp, 0L);
                long from = Math.max(begin.getOrDefault(tp, 0L), to - count);
                if (from < to) {
                    consumer.seek(tp, from);
                    pending.put(tp, to);
                }
            }
            consumer.assign(Set.copyOf(pending.keySet()));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            while (!pending.isEmpty()) {
                Duration left = remaining(deadline);
                if (left.isZero()) {
                    throw new MessagingException("Reading the latest messages of " + topic + " from Kafka "
                            + bootstrapServers + " did not finish within " + seconds(timeout), null);
                }
                ConsumerRecords<String, String> batch = consumer.poll(left.compareTo(Duration.ofMillis(500)) < 0
                        ? left : Duration.ofMillis(500));
                for (ConsumerRecord<String, String> r : batch) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    Long to = pending.get(tp);
                    if (to != null && r.offset() < to) {
                        records.add(r);
                    }
                }
                for (TopicPartition tp : List.copyOf(pending.keySet())) {
                    if (consumer.position(tp, remaining(deadline)) >= pending.get(tp)) {
                        pending.remove(tp);
                    }
                }
                consumer.assign(Set.copyOf(pending.keySet()));
            }
            records.sort(Comparator.<ConsumerRecord<String, String>>comparingLong(ConsumerRecord::timestamp)
                    .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset));
            List<ConsumerRecord<String, String>> last = records.subList(Math.max(0, records.size() - count),
                    records.size());
            List<Message> result = new ArrayList<>(last.size());
            for (ConsumerRecord<String, String> r : last) {
                result.add(new Message(r.topic(), r.key(), r.value(), r.timestamp(), r.partition(), r.offset()));
            }
            return result;
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new MessagingException("Kafka at " + bootstrapServers + " did not answer within " + seconds(timeout)
                    + " (reading the latest messages of " + topic + ")", e);
        } catch (RuntimeException e) {
            throw failure("reading the latest messages of " + topic, e);
        }
    }

    // ---------------------------------------------------------------------------------------------------- admin

    @Override
    public void ensureTopics(Collection<String> topics) throws MessagingException {
        Set<String> names = new LinkedHashSet<>(topics);
        if (names.isEmpty()) {
            return;
        }
        List<NewTopic> requests = new ArrayList<>();
        for (String name : names) {
            requests.add(new NewTopic(name, settings.defaultPartitions(), settings.replicationFactor()));
        }
        Map<String, KafkaFuture<Void>> results;
        try {
            results = admin().createTopics(requests, new CreateTopicsOptions().timeoutMs(settings.requestTimeoutMs()))
                    .values();
        } catch (RuntimeException e) {
            throw failure("creating topics " + names, e);
        }
        List<String> created = new ArrayList<>();
        for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
            try {
                await(e.getValue(), "creating topic " + e.getKey());
                created.add(e.getKey());
            } catch (MessagingException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw ex;
                }
            }
        }
        if (!created.isEmpty()) {
            awaitLeaders(created);
            LOG.info("Created topics {} ({} partitions, replication factor {})", created,
                    settings.defaultPartitions(), settings.replicationFactor());
        }
    }

    /**
     * Waits (bounded by the request time-out) until every partition of freshly created topics has a leader, so that the
     * first records sent to them are not answered "unknown topic or partition" and retried.
     */
    private void awaitLeaders(List<String> topics) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.requestTimeoutMs());
        while (System.nanoTime() < deadline) {
            try {
                Map<String, org.apache.kafka.clients.admin.TopicDescription> described = admin().describeTopics(topics)
                        .allTopicNames().get(settings.requestTimeoutMs(), TimeUnit.MILLISECONDS);
                if (described.values().stream().allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null))) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
                // not visible yet: asked again below
            }
            try {
                Thread.sleep(20); // interval of asking the controller again; the answer decides
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void deleteTopics(Collection<String> topics) throws MessagingException {
        Set<String> names = new LinkedHashSet<>(topics);
        if (names.isEmpty()) {
            return;
        }
        Map<String, KafkaFuture<Void>> results;
        try {
            results = admin().deleteTopics(TopicCollection.ofTopicNames(names),
                    new DeleteTopicsOptions().timeoutMs(settings.requestTimeoutMs())).topicNameValues();
        } catch (RuntimeException e) {
            throw failure("deleting topics " + names, e);
        }
        for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
            try {
                await(e.getValue(), "deleting topic " + e.getKey());
            } catch (MessagingException ex) {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw ex;
                }
            }
        }
    }

    @Override
    public boolean isReachable(Duration timeout) {
        try {
            int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            admin().describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId()
                    .get(ms + 1000L, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debug("Kafka at {} not reachable: {}", bootstrapServers, e.toString());
            return false;
        }
    }

    private Admin admin() {
        synchronized (lock) {
            checkOpen();
            if (admin == null) {
                Properties props = common("admin-" + consumerCount.incrementAndGet());
                props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
                admin = Tccl.withBundleLoader(() -> Admin.create(props));
            }
            return admin;
        }
    }

    /**
     * Creates the topics in the background, retrying with back-off until it succeeds or this is closed (the broker may
     * not be up yet when the platform starts).
     */
    public void ensureTopicsInBackground(Collection<String> topics) {
        List<String> names = List.copyOf(topics);
        Thread thread = new Thread(() -> {
            long delay = ENSURE_RETRY_MIN_MS;
            int attempt = 0;
            while (!closed) {
                try {
                    ensureTopics(names);
                    LOG.debug("Topics {} exist at {}", names, bootstrapServers);
                    return;
                } catch (MessagingException | RuntimeException e) {
                    if (closed) {
                        return;
                    }
                    attempt++;
                    LOG.warn("Could not create the platform topics at Kafka {} (attempt {}); retrying in {} s: {}",
                            bootstrapServers, attempt, delay / 1000.0, e.getMessage());
                }
                try {
                    if (closing.await(delay, TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                delay = Math.min(ENSURE_RETRY_MAX_MS, delay * 2);
            }
        }, settings.clientIdPrefix() + "-ensure-topics");
        thread.setDaemon(true);
        synchronized (lock) {
            checkOpen();
            topicCreator = thread;
        }
        thread.start();
    }

    // ---------------------------------------------------------------------------------------------------- lifecycle

    /** Closes every subscription, then the producer and the admin client. */
    @Override
    public void close() {
        KafkaProducer<String, String> p;
        Admin a;
        Thread creator;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closing.countDown();
            p = producer;
            a = admin;
            creator = topicCreator;
            producer = null;
            admin = null;
        }
        for (LeaderElection election : List.copyOf(elections)) {
            election.close(); // first: a leader's work stops while it can still publish
        }
        for (ConsumerLoop loop : List.copyOf(subscriptions)) {
            loop.close();
        }
        if (p != null) {
            try {
                p.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the producer failed", e);
            }
        }
        if (a != null) {
            try {
                a.close(Duration.ZERO); // pending admin calls (e.g. the background topic creation) fail at once
            } catch (RuntimeException e) {
                LOG.debug("Closing the admin client failed", e);
            }
        }
        if (creator != null) {
            try {
                creator.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The subscriptions not closed yet, running or dead (for tests and diagnostics). */
    int openSubscriptions() {
        return subscriptions.size();
    }

    @Override
    public List<SubscriptionInfo> consumers() {
        return subscriptions.stream().filter(loop -> !loop.isClosed()).map(ConsumerLoop::info)
                .sorted(Comparator.comparing(SubscriptionInfo::clientId)).toList();
    }

    @Override
    public List<SubscriptionInfo> consumers(Duration lagTimeout) {
        List<SubscriptionInfo> infos = consumers();
        try {
            return GroupLag.withLag(admin(), infos, lagTimeout);
        } catch (RuntimeException e) { // closed meanwhile, or the admin client refused the request
            LOG.debug("Lag not known: {}", e.toString());
            return infos;
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private Properties common(String clientId) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId.startsWith(settings.clientIdPrefix())
                ? clientId : settings.clientIdPrefix() + "-" + clientId);
        props.put(CommonClientConfigs.REQUEST_TIMEOUT_MS_CONFIG, settings.requestTimeoutMs());
        return props;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("Messaging is closed");
        }
    }

    private void await(KafkaFuture<Void> future, String what) throws MessagingException {
        try {
            future.get(settings.requestTimeoutMs() + 2000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted while " + what + " at Kafka " + bootstrapServers, e);
        } catch (ExecutionException e) {
            throw failure(what, e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            throw failure(what, e);
        }
    }

    /** A clear exception for a failed request; time-outs say which broker did not answer within how long. */
    private MessagingException failure(String what, Throwable cause) {
        if (cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof TimeoutException) {
            return new MessagingException("Kafka at " + bootstrapServers + " did not answer within "
                    + seconds(settings.requestTimeout()) + " (" + what + ")", cause);
        }
        return new MessagingException("Kafka at " + bootstrapServers + ": " + what + " failed: " + cause.getMessage(),
                cause);
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : (ms / 1000.0) + " s";
    }

    private static Duration remaining(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    private void pause(long ms) throws MessagingException {
        try {
            if (closing.await(ms, TimeUnit.MILLISECONDS)) {
                throw new MessagingException("Messaging is closed", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("Interrupted", e);
        }
    }
}
