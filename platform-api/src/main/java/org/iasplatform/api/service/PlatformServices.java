package org.iasplatform.api.service;

import java.util.List;

import org.iasplatform.api.IasException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform components of this platform instance and what the service-lifecycle watchdog did about their failures.
 */
@ProviderType
public interface PlatformServices {
    /** The most events {@link #events} answers at once. */
    int MAX_EVENTS = 1000;

    /** This platform instance's id: its configured id, or its Karaf instance name and host name ({@code root@host}). */
    String platformId();

    /**
     * Every component of the watched platform bundles, by bundle and name, with its consumers and their lag (asked of the
     * broker within a bounded time; a lag not known in time is null).
     */
    List<ServiceHealth> services();

    /**
     * The latest recorded events, oldest first, of every platform instance sharing the store.
     *
     * @param component only this component's (null: every component's)
     * @param platform  only this platform instance's (null: every one's)
     * @param limit     at most this many, 1 to {@link #MAX_EVENTS}
     * @throws IasException INVALID for a limit out of range, UNAVAILABLE when the store cannot be read now
     */
    List<ServiceEvent> events(String component, String platform, int limit) throws IasException;
}
