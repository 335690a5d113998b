package org.iasplatform.services.testcomponents;

import java.io.File;
import java.util.List;
import java.util.Map;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.osgi.framework.BundleContext;

/**
 * Test component (in a bundle built by the tests, described by hand-written XML): consumes topic {@code topic} in group
 * {@code group}. A message "die" kills its consumer thread the first time it is delivered (an Error out of the handler);
 * delivered again (to the consumer of its next activation), it is handled. Which messages did so is kept in its bundle's
 * data area.
 */
public class ConsumingComponent {
    private Messaging messaging;
    private Subscription subscription;

    protected void bindMessaging(Messaging messaging) {
        this.messaging = messaging;
    }

    protected void activate(BundleContext context, Map<String, Object> properties) {
        subscription = messaging.subscribe((String) properties.get("group"), List.of((String) properties.get("topic")),
                message -> {
                    if ("die".equals(message.value())) {
                        File marker = context.getDataFile("died-" + message.partition() + "-" + message.offset());
                        if (marker.createNewFile()) {
                            throw new InternalError("the consumer dies on " + message.position() + " (test)");
                        }
                    }
                });
    }

    protected void deactivate() {
        subscription.close();
    }
}
