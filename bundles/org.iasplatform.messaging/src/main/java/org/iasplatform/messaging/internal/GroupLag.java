package org.iasplatform.messaging.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.iasplatform.api.messaging.SubscriptionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lag of the consumer groups of subscriptions, asked of the broker in two rounds bounded by one time-out: the groups'
 * committed offsets and the topics' partitions, then the partitions' earliest and end offsets. A group's lag is, over
 * every partition of its topics, the end offset minus the committed one (minus the earliest one where the group committed
 * nothing: it starts from the earliest). What the broker did not answer in time leaves that group's lag unknown (null).
 */
final class GroupLag {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLag.class);

    private GroupLag() {
    }

    static List<SubscriptionInfo> withLag(Admin admin, List<SubscriptionInfo> subscriptions, Duration timeout) {
        Map<String, Set<String>> topicsByGroup = new LinkedHashMap<>();
        for (SubscriptionInfo s : subscriptions) {
            if (!s.isFollower() && !s.topics().isEmpty()) {
                topicsByGroup.computeIfAbsent(s.group(), g -> new TreeSet<>()).addAll(s.topics());
            }
        }
        if (topicsByGroup.isEmpty()) {
            return subscriptions;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Set<String> topics = new TreeSet<>();
        topicsByGroup.values().forEach(topics::addAll);

        // round 1: committed offsets of every group, partitions of every topic
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        topicsByGroup.keySet().forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
        var committedResult = admin.listConsumerGroupOffsets(specs,
                new ListConsumerGroupOffsetsOptions().timeoutMs(timeoutMs));
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(topics,
                new DescribeTopicsOptions().timeoutMs(timeoutMs)).topicNameValues();
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (String group : topicsByGroup.keySet()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = get(committedResult.partitionsToOffsetAndMetadata(group),
                    deadline, "the committed offsets of group " + group);
            if (offsets != null) {
                committed.put(group, offsets);
            }
        }
        Map<String, List<TopicPartition>> partitions = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e : described.entrySet()) {
            TopicDescription d = get(e.getValue(), deadline, "the partitions of " + e.getKey());
            if (d != null) {
                List<TopicPartition> list = new ArrayList<>();
                d.partitions().forEach(p -> list.add(new TopicPartition(e.getKey(), p.partition())));
                partitions.put(e.getKey(), list);
            }
        }

        // round 2: earliest and end offsets of those partitions
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        partitions.values().forEach(list -> list.forEach(tp -> {
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }));
        Map<TopicPartition, Long> ends = Map.of();
        Map<TopicPartition, Long> starts = Map.of();
        if (!latest.isEmpty()) {
            ListOffsetsOptions options = new ListOffsetsOptions().timeoutMs(remainingMs(deadline));
            ListOffsetsResult endResult = admin.listOffsets(latest, options);
            ListOffsetsResult startResult = admin.listOffsets(earliest, options);
            ends = offsets(endResult, latest.keySet(), deadline, "end offsets");
            starts = offsets(startResult, earliest.keySet(), deadline, "earliest offsets");
        }

        Map<String, Long> lagByGroup = new HashMap<>();
        for (Map.Entry<String, Set<String>> e : topicsByGroup.entrySet()) {
            Long lag = lag(e.getValue(), committed.get(e.getKey()), partitions, ends, starts);
            if (lag != null) {
                lagByGroup.put(e.getKey(), lag);
            }
        }
        List<SubscriptionInfo> result = new ArrayList<>(subscriptions.size());
        for (SubscriptionInfo s : subscriptions) {
            result.add(s.isFollower() ? s : s.withLag(lagByGroup.get(s.group())));
        }
        return result;
    }

    /** The group's lag over its topics; null when anything it needs is not known. */
    private static Long lag(Set<String> topics, Map<TopicPartition, OffsetAndMetadata> committed,
            Map<String, List<TopicPartition>> partitions, Map<TopicPartition, Long> ends, Map<TopicPartition, Long> starts) {
        if (committed == null) {
            return null;
        }
        long lag = 0;
        for (String topic : topics) {
            List<TopicPartition> list = partitions.get(topic);
            if (list == null) {
                return null;
            }
            for (TopicPartition tp : list) {
                Long end = ends.get(tp);
                OffsetAndMetadata done = committed.get(tp);
                Long from = done != null ? Long.valueOf(done.offset()) : starts.get(tp);
                if (end == null || from == null) {
                    return null;
                }
                lag += Math.max(0, end - from);
            }
        }
        return lag;
    }

    private static Map<TopicPartition, Long> offsets(ListOffsetsResult result, Set<TopicPartition> partitions,
            long deadline, String what) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : partitions) {
            ListOffsetsResult.ListOffsetsResultInfo info = get(result.partitionResult(tp), deadline, what + " of " + tp);
            if (info != null) {
                offsets.put(tp, info.offset());
            }
        }
        return offsets;
    }

    private static <T> T get(KafkaFuture<T> future, long deadline, String what) {
        try {
            return future.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Lag not known: {} not answered: {}", what, e.toString());
            return null;
        }
    }

    private static int remainingMs(long deadline) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
}
