package org.iasplatform.api.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

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

    /**
     * The value as a JSON object. Every pipeline message is one; a handler drops (and logs) one that is not, rather than
     * having it delivered again forever.
     *
     * @throws NotAJsonObjectException saying what the value is instead ("not JSON: ...", "not a JSON object")
     */
    public ObjectNode jsonObject(ObjectMapper mapper) throws NotAJsonObjectException {
        JsonNode node;
        try {
            node = mapper.readTree(value == null ? "" : value);
        } catch (JsonProcessingException e) {
            throw new NotAJsonObjectException("not JSON: " + e.getOriginalMessage());
        }
        if (node instanceof ObjectNode object) {
            return object;
        }
        throw new NotAJsonObjectException("not a JSON object");
    }

    /** Where it is, for log lines: {@code key at topic-partition@offset}. */
    public String position() {
        return key + " at " + topic + "-" + partition + "@" + offset;
    }
}
