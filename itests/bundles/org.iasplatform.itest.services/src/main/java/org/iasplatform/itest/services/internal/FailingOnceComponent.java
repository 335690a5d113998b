package org.iasplatform.itest.services.internal;

import java.io.File;
import java.io.IOException;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Test component: its first activation throws (FAILED_ACTIVATION); later ones work. That it failed once is kept in its
 * bundle's data area, so it outlives the component's instances (not in a static field).
 */
@Component(immediate = true)
public class FailingOnceComponent {
    static final String MARKER = "failed-once";

    @Activate
    public FailingOnceComponent(BundleContext context) throws IOException {
        File marker = context.getDataFile(MARKER);
        if (marker.createNewFile()) {
            throw new IllegalStateException("first activation fails (itest)");
        }
    }
}
