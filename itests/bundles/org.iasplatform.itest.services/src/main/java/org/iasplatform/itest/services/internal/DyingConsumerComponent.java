package org.iasplatform.itest.services.internal;

import java.io.File;
import java.util.List;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.messaging.Subscription;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * Test component: consumes {@value #TOPIC} in group {@value #GROUP}. A message "die" kills its consumer thread (an Error
 * out of the handler) the first time it is delivered; delivered again, to the consumer of a later activation, it is
 * handled. Which messages did so is kept in its bundle's data area.
 */
@Component(immediate = true)
public class DyingConsumerComponent {
    public static final String TOPIC = "itest_services";
    public static final String GROUP = "itest-services";

    private final Subscription subscription;

    @Activate
    public DyingConsumerComponent(BundleContext context, @Reference Messaging messaging) {
        subscription = messaging.subscribe(GROUP, List.of(TOPIC), message -> {
            if ("die".equals(message.value())) {
                File marker = context.getDataFile("died-" + message.partition() + "-" + message.offset());
                if (marker.createNewFile()) {
                    throw new InternalError("the consumer dies on " + message.position() + " (itest)");
                }
            }
        });
    }

    @Deactivate
    void deactivate() {
        subscription.close();
    }
}
