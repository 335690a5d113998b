package org.iasplatform.services.testcomponents;

import java.io.File;
import java.io.IOException;

import org.osgi.framework.BundleContext;

/**
 * Test component (constructor injection, DS 1.4): its first activation throws from the constructor, which SCR reports
 * wrapped in an InvocationTargetException. That it failed once is kept in its bundle's data area.
 */
public class FailingConstructorComponent {
    public FailingConstructorComponent(BundleContext context) throws IOException {
        File marker = context.getDataFile("failed-once");
        if (marker.createNewFile()) {
            throw new IllegalStateException("the constructor fails once (test)");
        }
    }
}
