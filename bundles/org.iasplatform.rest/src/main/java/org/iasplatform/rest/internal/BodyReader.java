package org.iasplatform.rest.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.regex.Pattern;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.Part;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a request's JSON document: the body itself ({@code application/json}) or, where allowed, the multipart part
 * {@value #FILE_PART}. Never reads more than {@code maxBytes}: a declared Content-Length above it is refused before reading,
 * and the stream is cut off one byte past it.
 */
public final class BodyReader {
    public static final String FILE_PART = "file";
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;\\]]*; ");

    private final ObjectMapper mapper;
    private final long maxBytes;

    public BodyReader(ObjectMapper mapper, long maxBytes) {
        this.mapper = mapper;
        this.maxBytes = maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** The same reader with another limit (a route's own). */
    public BodyReader withMaxBytes(long bytes) {
        return bytes == maxBytes ? this : new BodyReader(mapper, bytes);
    }

    /** The 413 for a body larger than {@code maxBytes}. */
    public HttpProblem tooLarge() {
        return new HttpProblem(413, "", "the request body is larger than the " + maxBytes + " bytes accepted")
                .withHeader("Connection", "close");
    }

    /** Refuses (413) a request whose declared length is above the limit, without reading it. */
    public void checkDeclaredLength(HttpServletRequest request) throws HttpProblem {
        if (request.getContentLengthLong() > maxBytes) {
            throw tooLarge();
        }
    }

    public JsonNode readJson(HttpServletRequest request, boolean multipartAllowed) throws HttpProblem, IasException, IOException {
        String mediaType = mediaType(request.getContentType());
        if (mediaType.isEmpty() || mediaType.equals("application/json") || mediaType.endsWith("+json")) {
            checkDeclaredLength(request);
            return parse(readCapped(request.getInputStream()));
        }
        if (multipartAllowed && mediaType.equals("multipart/form-data")) {
            return parse(readFilePart(request));
        }
        throw new HttpProblem(415, "", "unsupported media type '" + mediaType + "'; expected application/json"
                + (multipartAllowed ? " or multipart/form-data with the document in a part named '" + FILE_PART + "'" : ""));
    }

    private byte[] readFilePart(HttpServletRequest request) throws HttpProblem, IasException, IOException {
        long declared = request.getContentLengthLong();
        if (declared < 0) {
            // the container parses multipart bodies itself; without a length it could not be bounded beforehand
            throw new HttpProblem(411, "", "a multipart upload needs a Content-Length header");
        }
        if (declared > maxBytes) {
            throw tooLarge();
        }
        Part part;
        try {
            part = request.getPart(FILE_PART);
        } catch (IllegalStateException e) {
            throw tooLarge();
        } catch (ServletException e) {
            throw new IasException(ErrorKind.INVALID, "", "the multipart body cannot be read: " + e.getMessage());
        }
        if (part == null) {
            throw new IasException(ErrorKind.INVALID, FILE_PART,
                    "the multipart request has no part named '" + FILE_PART + "'; expected the JSON document in it");
        }
        if (part.getSize() > maxBytes) {
            throw tooLarge();
        }
        try (InputStream in = part.getInputStream()) {
            return readCapped(in);
        }
    }

    /** Reads at most {@code maxBytes}; 413 as soon as there is one byte more. */
    public byte[] readCapped(InputStream in) throws IOException, HttpProblem {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, maxBytes + 1 - total))) > 0) {
            total += n;
            if (total > maxBytes) {
                throw tooLarge();
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Parses a JSON document; 400 for an empty or malformed one, saying where (line, column) and what was expected. */
    public JsonNode parse(byte[] bytes) throws IasException {
        JsonNode node;
        try {
            node = mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IasException(ErrorKind.INVALID, "", describe(e));
        } catch (IOException e) {
            throw new IasException(ErrorKind.INVALID, "", "the request body cannot be read as JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new IasException(ErrorKind.INVALID, "", "the request body is empty; expected a JSON document");
        }
        return node;
    }

    static String describe(JsonProcessingException e) {
        String what = SOURCE.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("[");
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return "malformed JSON" + where + ": " + what + " (expected a well-formed JSON document)";
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
