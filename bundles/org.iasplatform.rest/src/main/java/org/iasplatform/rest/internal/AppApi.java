package org.iasplatform.rest.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.Part;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppRepository;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.messaging.Message;
import org.iasplatform.api.messaging.MessagingException;
import org.iasplatform.api.messaging.Topics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The applications: upload of app.zip packages, their versions, download, delete. */
public final class AppApi {
    static final String ID_FIELD = "application_id";
    static final int MAX_ID_BYTES = 256;
    static final Duration FEED_TIMEOUT = Duration.ofSeconds(5);
    /** Media types of a zip sent as the body itself. */
    static final Set<String> ZIP_TYPES = Set.of("application/zip", "application/x-zip-compressed", "application/octet-stream");

    private final Services services;
    private final ObjectMapper mapper;
    private final long maxUploadBytes;

    public AppApi(Services services, ObjectMapper mapper, long maxUploadBytes) {
        this.services = services;
        this.mapper = mapper;
        this.maxUploadBytes = maxUploadBytes;
    }

    /** This part's routes. */
    public List<Route> routes() {
        Access developer = Access.roles("developer");
        return List.of(
                Route.of("POST", "/apps", developer, this::upload).withMaxBody(maxUploadBytes),
                Route.of("GET", "/apps", Access.ANY_ROLE, request -> ApiResponse.ok(repository().apps())),
                Route.of("GET", "/apps/{id}", Access.ANY_ROLE, this::app),
                Route.of("GET", "/apps/{id}/package", Access.ANY_ROLE, this::download),
                Route.of("GET", "/apps/{id}/feed", Access.ANY_ROLE, this::feed),
                Route.of("DELETE", "/apps/{id}", developer, this::delete));
    }

    /**
     * {@code multipart/form-data} with the zip in part {@value BodyReader#FILE_PART} (and optionally a field
     * {@value #ID_FIELD}), or the zip itself as the body ({@code application/zip}, the id as query parameter).
     */
    ApiResponse upload(ApiRequest request) throws Exception {
        AppRepository repository = repository();
        HttpServletRequest http = request.http();
        BodyReader limits = request.bodyReader();
        String mediaType = BodyReader.mediaType(http.getContentType());
        String applicationId = request.queryParam(ID_FIELD).orElse(null);
        InputStream zip;
        if (mediaType.equals("multipart/form-data")) {
            if (http.getContentLengthLong() < 0) {
                // the container parses multipart bodies itself; without a length it could not be bounded beforehand
                throw new HttpProblem(411, "", "a multipart upload needs a Content-Length header");
            }
            Part file = part(http, BodyReader.FILE_PART, limits);
            if (file == null) {
                throw new IasException(ErrorKind.INVALID, BodyReader.FILE_PART, "the multipart request has no part named '"
                        + BodyReader.FILE_PART + "'; expected the app.zip in it");
            }
            Part id = part(http, ID_FIELD, limits);
            if (id != null) {
                applicationId = text(id);
            }
            zip = file.getInputStream();
        } else if (ZIP_TYPES.contains(mediaType)) {
            zip = http.getInputStream();
        } else {
            throw new HttpProblem(415, "", "unsupported media type '" + mediaType + "'; expected multipart/form-data with the "
                    + "app.zip in a part named '" + BodyReader.FILE_PART + "', or the zip itself as application/zip");
        }
        if (applicationId != null && applicationId.isBlank()) {
            applicationId = null;
        }
        AppVersion version;
        CappedInputStream capped = new CappedInputStream(zip, limits.maxBytes());
        try (capped) {
            version = repository.upload(capped, applicationId == null ? null : applicationId.strip(), request.caller().user());
        } catch (IasException | RuntimeException e) {
            if (capped.exceeded) {
                throw limits.tooLarge();
            }
            throw e;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("application_id", version.applicationId());
        body.put("application_name", version.applicationName());
        body.put("version", version.version());
        body.set("algorithms", mapper.valueToTree(version.algorithms()));
        return ApiResponse.created(body);
    }

    /** The latest version's fields, and every version (oldest first) under "versions". */
    ApiResponse app(ApiRequest request) throws IasException {
        String id = request.variable("id");
        List<AppVersion> versions = repository().versions(id);
        if (versions.isEmpty()) {
            throw notUploaded(id);
        }
        ObjectNode body = mapper.valueToTree(versions.get(versions.size() - 1));
        body.set("versions", mapper.valueToTree(versions));
        return ApiResponse.ok(body);
    }

    ApiResponse download(ApiRequest request) throws IasException {
        AppRepository repository = repository();
        String id = request.variable("id");
        int wanted = version(request.queryParam("version"));
        Optional<AppVersion> found = repository.version(id, wanted);
        if (found.isEmpty()) {
            if (wanted > 0 && repository.latest(id).isPresent()) {
                throw new IasException(ErrorKind.NOT_FOUND, "version", "application '" + id + "' has no version " + wanted
                        + "; its versions are " + repository.versions(id).stream().map(AppVersion::version).toList());
            }
            throw notUploaded(id);
        }
        AppVersion version = found.get();
        return ApiResponse.streamed(200, response -> {
            response.setContentType("application/zip");
            response.setHeader("Content-Disposition", "attachment; filename=\"" + fileName(version.applicationId()) + "-v"
                    + version.version() + ".zip\"");
            repository.download(version.applicationId(), version.version(), response.getOutputStream());
        });
    }

    /** The latest messages of the application's feed (what its algorithms published for its UI), oldest first. */
    ApiResponse feed(ApiRequest request) throws IasException {
        int limit = SensorApi.limit(request.queryParam("limit"));
        String id = request.variable("id");
        AppVersion app = repository().latest(id).orElseThrow(() -> notUploaded(id));
        List<Message> messages;
        try {
            messages = Services.require(services.messaging(), "messaging (kafka)")
                    .latest(Topics.appFeed(app.applicationName()), limit, FEED_TIMEOUT);
        } catch (MessagingException e) {
            throw new IasException(ErrorKind.UNAVAILABLE, "", "the feed cannot be fetched right now: " + e.getMessage());
        }
        ArrayNode body = mapper.createArrayNode();
        for (Message message : messages) {
            try {
                body.add(mapper.readTree(message.value()));
            } catch (IOException e) {
                // not JSON: not a feed message, skipped
            }
        }
        return ApiResponse.ok(body);
    }

    ApiResponse delete(ApiRequest request) throws IasException {
        repository().delete(request.variable("id"));
        return ApiResponse.noContent();
    }

    /** The {@code version} query parameter: a version number from 1, or absent / "latest" for the latest (0). */
    static int version(Optional<String> value) throws IasException {
        if (value.isEmpty() || value.get().isBlank() || value.get().strip().equalsIgnoreCase("latest")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.get().strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IasException(ErrorKind.INVALID, "version", "expected a version number from 1 (or leave it out for the "
                + "latest), got '" + value.get() + "'");
    }

    private static IasException notUploaded(String id) {
        return new IasException(ErrorKind.NOT_FOUND, "id", "no application with id or name '" + id + "' is uploaded");
    }

    private static Part part(HttpServletRequest http, String name, BodyReader limits) throws IOException, HttpProblem,
            IasException {
        try {
            return http.getPart(name);
        } catch (IllegalStateException e) {
            throw limits.tooLarge();
        } catch (ServletException e) {
            throw new IasException(ErrorKind.INVALID, "", "the multipart body cannot be read: " + e.getMessage());
        }
    }

    private static String text(Part part) throws IOException, IasException {
        try (InputStream in = part.getInputStream()) {
            byte[] bytes = in.readNBytes(MAX_ID_BYTES + 1);
            if (bytes.length > MAX_ID_BYTES) {
                throw new IasException(ErrorKind.INVALID, ID_FIELD, "the application id is longer than " + MAX_ID_BYTES
                        + " bytes; expected a short name");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String fileName(String id) {
        return id.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private AppRepository repository() throws IasException {
        return Services.require(services.appRepository(), "app_repository");
    }

    /** Reads at most {@code max} bytes; one more fails the read (and is remembered, to answer 413). */
    private static final class CappedInputStream extends FilterInputStream {
        private final long max;
        private long count;
        volatile boolean exceeded;

        CappedInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, (int) Math.min(len, max + 1 - count));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, max + 1 - count));
            counted(skipped);
            return skipped;
        }

        private void counted(long n) throws IOException {
            count += n;
            if (count > max) {
                exceeded = true;
                throw new IOException("the upload is larger than the " + max + " bytes accepted");
            }
        }
    }
}
