package org.iasplatform.api.messaging;

/**
 * One record consumed from a topic.
 *
 * @param topic     the topic
 * @param key       the record key (the id the message concerns), may be null
 * @param value     the JSON text
 * @param timestamp the record's timestamp, epoch ms
 * @param partition the partition
 * @param offset    the offset within the partition
 */
public record Message(String topic, String key, String value, long timestamp, int partition, long offset) {
}
