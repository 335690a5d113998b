package org.iasplatform.runtime.bundle.internal;

import java.time.Duration;

import org.iasplatform.api.messaging.Messaging;
import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@code bundle} {@link AppRuntime} service ({@code ias.runtime=bundle}): Java algorithm bundles installed into this
 * framework ({@link BundleRuntime}). Activating it uninstalls algorithm bundles an earlier run left behind; deactivating
 * it stops every instance and uninstalls their bundles.
 */
@Component(service = AppRuntime.class, property = AppRuntime.PROPERTY_KIND + "=" + BundleRuntimeComponent.KIND,
        configurationPid = "org.iasplatform.runtime.bundle", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = BundleRuntimeComponent.Config.class)
public class BundleRuntimeComponent implements AppRuntime {
    static final String KIND = "bundle";

    @ObjectClassDefinition(name = "IAS bundle runtime", description = "Runs Java algorithm bundles in this framework.")
    public @interface Config {
        @AttributeDefinition(name = "Service wait (ms)",
                description = "How long a start waits for the algorithm bundle to register its Algorithm service.",
                min = "0")
        long service__wait__ms() default 30_000;

        @AttributeDefinition(name = "Publish time-out (ms)",
                description = "How long a control command, notification or feed message waits for Kafka.", min = "1")
        long publish__timeout__ms() default 10_000;

        @AttributeDefinition(name = "Longest log line (characters)", min = "16")
        int max__line__length() default 8192;

        @AttributeDefinition(name = "Stop grace on shutdown (ms)",
                description = "When this runtime stops, how long its instances get to end before they are forced.",
                min = "0")
        long stop__grace__ms() default 5000;
    }

    private final BundleRuntime runtime;
    private final Duration stopGrace;

    @Activate
    public BundleRuntimeComponent(BundleContext context, @Reference(name = "messaging") Messaging messaging,
            Config config) {
        this.stopGrace = Duration.ofMillis(Math.max(0, config.stop__grace__ms()));
        this.runtime = new BundleRuntime(context, messaging, new Settings(
                Duration.ofMillis(Math.max(0, config.service__wait__ms())),
                Duration.ofMillis(Math.max(1, config.publish__timeout__ms())), Math.max(16, config.max__line__length())));
    }

    @Deactivate
    void deactivate() {
        runtime.close(stopGrace);
    }

    @Override
    public RunningInstance start(InstanceLaunch launch, InstanceListener listener) throws Exception {
        return runtime.start(launch, listener);
    }
}
