package org.iasplatform.rest.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.iasplatform.api.IasException;
import org.iasplatform.api.validation.ValidationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Serves one request: route lookup (404, 405), authentication (401) and role check (403), body limit (413), the handler,
 * and the mapping of every failure to {@code {"errors": [{"path", "message"}]}}. Users log in with HTTP Basic; the
 * algorithm API's routes need an instance's bearer token instead, which the route checks against the instance it names.
 */
public final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    public static final String WWW_AUTHENTICATE = "Basic realm=\"IAS\"";
    private static final String JSON = "application/json;charset=UTF-8";

    private final Router router;
    private final Authenticator authenticator;
    private final ObjectMapper mapper;
    private final BodyReader bodyReader;
    private final LoginThrottle throttle;

    /** Without login rate limiting. */
    public Dispatcher(Router router, Authenticator authenticator, ObjectMapper mapper, long maxBodyBytes) {
        this(router, authenticator, mapper, maxBodyBytes, new LoginThrottle(LoginThrottle.Limits.OFF, System::nanoTime));
    }

    public Dispatcher(Router router, Authenticator authenticator, ObjectMapper mapper, long maxBodyBytes,
            LoginThrottle throttle) {
        this.router = router;
        this.authenticator = authenticator;
        this.mapper = mapper;
        this.bodyReader = new BodyReader(mapper, maxBodyBytes);
        this.throttle = throttle;
    }

    public Router router() {
        return router;
    }

    public void dispatch(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        String path = request.getPathInfo() == null || request.getPathInfo().isEmpty() ? "/" : request.getPathInfo();
        try {
            Router.Match match = router.resolve(method, path);
            Route route = match.route();
            Caller caller = authorize(route, request);
            BodyReader reader = route.maxBodyBytes() > 0 ? bodyReader.withMaxBytes(route.maxBodyBytes()) : bodyReader;
            reader.checkDeclaredLength(request);
            ApiResponse answer = route.handler().handle(new ApiRequest(request, match.variables(), caller, reader));
            if (answer.body() instanceof ApiResponse.Streamed streamed) {
                stream(response, answer.status(), streamed, method, path);
            } else {
                write(response, answer.status(), answer.body(), Map.of());
            }
        } catch (HttpProblem e) {
            write(response, e.status(), Json.errors(mapper, e.errors()), e.headers());
        } catch (IasException e) {
            List<ValidationError> errors = e.errors().isEmpty() ? List.of(new ValidationError("", e.getMessage())) : e.errors();
            write(response, e.kind().httpStatus(), Json.errors(mapper, errors), Map.of());
        } catch (Exception | LinkageError e) {
            Optional<HttpProblem> storeAway = StoreUnavailable.problem(e);
            if (storeAway.isPresent()) {
                LOG.warn("{} {}: answered 503, the store is unreachable: {}", method, path, e.toString());
                write(response, 503, Json.errors(mapper, storeAway.get().errors()), storeAway.get().headers());
                return;
            }
            String reference = UUID.randomUUID().toString();
            LOG.error("{} {} failed (reference {})", method, path, reference, e);
            write(response, 500, Json.errors(mapper, List.of(new ValidationError("",
                    "internal error (reference " + reference + "); the details are in the server log"))), Map.of());
        }
    }

    private Caller authorize(Route route, HttpServletRequest request) throws HttpProblem {
        Access access = route.access();
        if (!access.authenticated()) {
            return Caller.ANONYMOUS;
        }
        if (access.instanceToken()) {
            if (BearerToken.parse(request.getHeader("Authorization")).isEmpty()) {
                throw new HttpProblem(401, "", "authentication required: the algorithm instance's token, as "
                        + "Authorization: Bearer $IAS_TOKEN").withHeader("WWW-Authenticate", BearerToken.WWW_AUTHENTICATE);
            }
            return Caller.ANONYMOUS;
        }
        Optional<BasicCredentials> credentials = BasicCredentials.parse(request.getHeader("Authorization"));
        if (credentials.isEmpty()) {
            throw new HttpProblem(401, "", "authentication required: HTTP Basic with a user of the platform")
                    .withHeader("WWW-Authenticate", WWW_AUTHENTICATE);
        }
        BasicCredentials c = credentials.get();
        Optional<Set<String>> roles = throttledLogin(c, request);
        if (roles.isEmpty()) {
            throw new HttpProblem(401, "", "wrong user name or password").withHeader("WWW-Authenticate", WWW_AUTHENTICATE);
        }
        if (!access.allows(roles.get())) {
            throw new HttpProblem(403, "", "this needs the role " + access.describe().replace(", ", " or ") + "; user '"
                    + c.user() + "' has " + (roles.get().isEmpty() ? "no role" : String.join(", ", new TreeSet<>(roles.get()))));
        }
        return new Caller(c.user(), roles.get());
    }

    /**
     * Logs in through the throttle: a locked-out user name or address gets 429 with Retry-After without the realm being
     * asked; a failure is counted, a success forgets the user name's failures. The password is never logged.
     */
    private Optional<Set<String>> throttledLogin(BasicCredentials c, HttpServletRequest request) throws HttpProblem {
        if (!throttle.enabled()) {
            return authenticator.authenticate(c.user(), c.password());
        }
        String address = request.getRemoteAddr() == null ? "unknown" : request.getRemoteAddr();
        Optional<Duration> locked = throttle.lockedFor(address, c.user());
        if (locked.isPresent()) {
            long seconds = Math.max(1, (locked.get().toMillis() + 999) / 1000);
            throw new HttpProblem(429, "", "too many failed logins for this user name or from this address; try again in "
                    + seconds + " s").withHeader("Retry-After", String.valueOf(seconds));
        }
        Optional<Set<String>> roles = authenticator.authenticate(c.user(), c.password());
        if (roles.isPresent()) {
            throttle.succeeded(address, c.user());
            return roles;
        }
        for (LoginThrottle.Lockout lockout : throttle.failed(address, c.user())) {
            LOG.warn("logins of {} refused for {} s after {} failed attempts", lockout.what(),
                    lockout.duration().toSeconds(), lockout.failures());
        }
        return roles;
    }

    /**
     * Lets a streamed body write itself. A failure before anything was sent is rethrown (and answered as an error, the
     * body's own headers dropped); after that there is nobody to tell but the log (e.g. the client went away).
     */
    private void stream(HttpServletResponse response, int status, ApiResponse.Streamed body, String method, String path)
            throws Exception {
        response.resetBuffer();
        response.setStatus(status);
        response.setHeader("Cache-Control", "no-store");
        try {
            body.writeTo(response);
        } catch (Exception e) {
            if (!response.isCommitted()) {
                response.reset();
                throw e;
            }
            LOG.debug("{} {}: streaming ended early: {}", method, path, e.toString());
        }
    }

    private void write(HttpServletResponse response, int status, Object body, Map<String, String> headers) throws IOException {
        if (response.isCommitted()) {
            LOG.debug("response already committed; status {} not sent", status);
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        headers.forEach(response::setHeader);
        response.setHeader("Cache-Control", "no-store");
        if (body == null) {
            return;
        }
        byte[] bytes = mapper.writeValueAsBytes(body);
        response.setContentType(JSON);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
