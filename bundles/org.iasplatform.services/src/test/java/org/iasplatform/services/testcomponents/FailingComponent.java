package org.iasplatform.services.testcomponents;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;

import org.osgi.service.component.ComponentContext;

/**
 * Test component (in a bundle built by the tests, described by hand-written XML): its first {@code fail.times}
 * activations throw. It counts them in a file of its bundle's data area, so the count outlives its instances.
 */
public class FailingComponent {
    protected void activate(ComponentContext context, Map<String, Object> properties) throws IOException {
        int failures = Integer.parseInt(String.valueOf(properties.get("fail.times")));
        File counter = context.getBundleContext().getDataFile(properties.get("component.name") + ".activations");
        int n = counter.exists() ? Integer.parseInt(Files.readString(counter.toPath()).strip()) : 0;
        n++;
        Files.writeString(counter.toPath(), String.valueOf(n));
        if (n <= failures) {
            throw new IllegalStateException("activation " + n + " fails (test)");
        }
    }
}
