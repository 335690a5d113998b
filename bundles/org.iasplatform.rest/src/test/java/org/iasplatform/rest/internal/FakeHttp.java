package org.iasplatform.rest.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.Part;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Minimal HttpServletRequest/Response for the dispatcher (dynamic proxies answering the methods it uses). */
final class FakeHttp {
    private FakeHttp() {
    }

    static final class Req {
        String method = "GET";
        String pathInfo;
        String query;
        String contentType;
        long contentLength = -1;
        InputStream body = new ByteArrayInputStream(new byte[0]);
        int bytesRead;
        final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        final Map<String, Part> parts = new LinkedHashMap<>();

        Req(String method, String pathInfo) {
            this.method = method;
            this.pathInfo = pathInfo;
        }

        Req query(String q) {
            this.query = q;
            return this;
        }

        Req bearer(String token) {
            headers.put("Authorization", "Bearer " + token);
            return this;
        }

        Req basic(String user, String password) {
            headers.put("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            return this;
        }

        Req json(String json) {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            contentType = "application/json";
            contentLength = bytes.length;
            body = new ByteArrayInputStream(bytes);
            return this;
        }

        Req body(String type, InputStream in, long length) {
            contentType = type;
            contentLength = length;
            body = in;
            return this;
        }

        Req part(String name, String content) {
            return part(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Req part(String name, byte[] bytes) {
            contentType = "multipart/form-data; boundary=xyz";
            contentLength = bytes.length + 200;
            parts.put(name, (Part) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(), new Class<?>[] {Part.class},
                    (p, m, a) -> switch (m.getName()) {
                        case "getSize" -> (long) bytes.length;
                        case "getName" -> name;
                        case "getInputStream" -> new ByteArrayInputStream(bytes);
                        default -> throw new UnsupportedOperationException(m.getName());
                    }));
            return this;
        }

        HttpServletRequest build() {
            ServletInputStream in = new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    int b = body.read();
                    if (b >= 0) {
                        bytesRead++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = body.read(b, off, len);
                    if (n > 0) {
                        bytesRead += n;
                    }
                    return n;
                }

                @Override
                public boolean isFinished() {
                    return false;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener readListener) {
                }
            };
            return (HttpServletRequest) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletRequest.class}, (p, m, a) -> switch (m.getName()) {
                        case "getMethod" -> method;
                        case "getPathInfo" -> pathInfo;
                        case "getQueryString" -> query;
                        case "getContentType" -> contentType;
                        case "getContentLengthLong" -> contentLength;
                        case "getContentLength" -> (int) contentLength;
                        case "getHeader" -> headers.get((String) a[0]);
                        case "getCharacterEncoding" -> null;
                        case "getInputStream" -> in;
                        case "getPart" -> parts.get((String) a[0]);
                        case "getParts" -> (Collection<Part>) parts.values();
                        case "toString" -> method + " " + pathInfo;
                        default -> throw new UnsupportedOperationException(m.getName());
                    });
        }
    }

    /**
     * A response whose stream commits on flush (as a container's does once it sends), and whose client can go away: then
     * every write fails, as it does in a container.
     */
    static final class Resp {
        volatile int status = 200;
        volatile String contentType;
        volatile boolean committed;
        volatile boolean clientGone;
        /** When set, writes wait for it (a client that reads slowly); {@link #writerBlocked} tells one waits. */
        volatile java.util.concurrent.CountDownLatch writeGate;
        volatile boolean writerBlocked;
        final Map<String, String> headers = java.util.Collections.synchronizedMap(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        HttpServletResponse build() {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) throws IOException {
                    gate();
                    if (clientGone) {
                        throw new IOException("client gone");
                    }
                    body.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    gate();
                    if (clientGone) {
                        throw new IOException("client gone");
                    }
                    body.write(b, off, len);
                }

                private void gate() throws IOException {
                    java.util.concurrent.CountDownLatch gate = writeGate;
                    if (gate != null) {
                        writerBlocked = true;
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException("interrupted", e);
                        }
                    }
                }

                @Override
                public void flush() throws IOException {
                    if (clientGone) {
                        throw new IOException("client gone");
                    }
                    committed = true;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener writeListener) {
                }
            };
            return (HttpServletResponse) Proxy.newProxyInstance(FakeHttp.class.getClassLoader(),
                    new Class<?>[] {HttpServletResponse.class}, (p, m, a) -> {
                        switch (m.getName()) {
                            case "isCommitted":
                                return committed;
                            case "resetBuffer":
                                body.reset();
                                return null;
                            case "reset":
                                body.reset();
                                headers.clear();
                                contentType = null;
                                status = 200;
                                return null;
                            case "flushBuffer":
                                committed = true;
                                return null;
                            case "setStatus":
                                status = (Integer) a[0];
                                return null;
                            case "setHeader":
                                headers.put((String) a[0], (String) a[1]);
                                return null;
                            case "setContentType":
                                contentType = (String) a[0];
                                return null;
                            case "setContentLength":
                                return null;
                            case "getOutputStream":
                                return out;
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }

        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(body.toByteArray());
        }
    }
}
