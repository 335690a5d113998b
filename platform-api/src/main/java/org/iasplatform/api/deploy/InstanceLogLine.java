package org.iasplatform.api.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of an instance's log.
 *
 * @param timestamp epoch ms
 * @param stream    {@code stdout}, {@code stderr} (process and docker runtimes), {@code log} (algorithm API), {@code platform}
 *                  (what the node agent recorded: start, exit, stop)
 * @param line      the text
 */
public record InstanceLogLine(
        @JsonProperty("timestamp") long timestamp,
        @JsonProperty("stream") String stream,
        @JsonProperty("line") String line) {
}
