package org.iasplatform.api.app;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One uploaded version of an application (an app.zip as stored).
 *
 * @param applicationId   the application's id (the upload's {@code application_id}, else appConfig's, else its name)
 * @param applicationName {@code application_name}
 * @param version         1, 2, … per application, one per upload
 * @param developerId     appConfig's {@code developer_id} (may be null)
 * @param uploadedBy      the user who uploaded it
 * @param uploadedAt      when
 * @param size            bytes of the zip as uploaded
 * @param sha256          hex digest of the zip
 * @param packageId       the stored package's id (GridFS file id) — what nodes fetch
 * @param root            the folder holding appConfig.json inside the zip ("" at the root, else "top/")
 * @param hasUi           whether the app ships a {@code ui/} folder
 * @param algorithms      its algorithms
 * @param appConfig       the appConfig.json document as uploaded
 */
public record AppVersion(
        @JsonProperty("application_id") String applicationId,
        @JsonProperty("application_name") String applicationName,
        @JsonProperty("version") int version,
        @JsonProperty("developer_id") String developerId,
        @JsonProperty("uploaded_by") String uploadedBy,
        @JsonProperty("uploaded_at") Instant uploadedAt,
        @JsonProperty("size") long size,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("package_id") String packageId,
        @JsonProperty("root") String root,
        @JsonProperty("has_ui") boolean hasUi,
        @JsonProperty("algorithms") List<AlgorithmDescriptor> algorithms,
        @JsonProperty("app_config") JsonNode appConfig) {

    public AppVersion {
        algorithms = algorithms == null ? List.of() : List.copyOf(algorithms);
        root = root == null ? "" : root;
    }

    public Optional<AlgorithmDescriptor> algorithm(String name) {
        return algorithms.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
