package org.iasplatform.runtime.process.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import org.iasplatform.api.node.AppRuntime;
import org.iasplatform.api.node.InstanceLaunch;
import org.iasplatform.api.node.InstanceListener;
import org.iasplatform.api.node.RunningInstance;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code process} {@link AppRuntime} service ({@code ias.runtime=process}): scripts run as child processes of the
 * node's JVM ({@link ProcessRuntime}). Deactivating it stops every instance it runs.
 */
@Component(service = AppRuntime.class, property = AppRuntime.PROPERTY_KIND + "=" + ProcessRuntimeComponent.KIND,
        configurationPid = "org.iasplatform.runtime.process", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ProcessRuntimeComponent.Config.class)
public class ProcessRuntimeComponent implements AppRuntime {
    static final String KIND = "process";
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRuntimeComponent.class);

    @ObjectClassDefinition(name = "IAS process runtime", description = "Runs algorithm scripts as child processes.")
    public @interface Config {
        @AttributeDefinition(name = "Interpreters",
                description = "lang=command entries (several per value, comma-separated): how a script of a deploy "
                        + "config's environment.lang is run; the script and the instance id are appended. Entries "
                        + "override the built-in ones of the same lang.")
        String[] interpreters() default { "python=python3 -u", "python3=python3 -u", "py=python3 -u", "bash=bash",
                "sh=sh", "shell=sh", "node=node", "nodejs=node", "javascript=node", "js=node", "ruby=ruby",
                "perl=perl", "java=java -jar", "jar=java -jar" };

        @AttributeDefinition(name = "Extensions",
                description = "extension=lang entries (several per value, comma-separated): the lang of a script "
                        + "when the deploy config gives none; they override the built-in ones. A script of no known "
                        + "extension is run directly if it is executable.")
        String[] extensions() default { "py=python", "sh=bash", "bash=bash", "js=node", "mjs=node", "cjs=node",
                "rb=ruby", "pl=perl", "jar=java" };

        @AttributeDefinition(name = "SDK folder",
                description = "Where platform_lib.py is installed (first on the instances' PYTHONPATH); empty: this "
                        + "bundle's data area.")
        String sdk__dir() default "";

        @AttributeDefinition(name = "Longest output line (characters)", min = "16")
        int max__line__length() default 8192;

        @AttributeDefinition(name = "Stop grace on shutdown (ms)",
                description = "When this runtime stops, how long its instances get to end before they are killed.",
                min = "0")
        long stop__grace__ms() default 5000;
    }

    private final ProcessRuntime runtime;
    private final Duration stopGrace;

    @Activate
    public ProcessRuntimeComponent(BundleContext context, Config config) {
        Path sdkDir;
        if (!config.sdk__dir().isBlank()) {
            sdkDir = Path.of(config.sdk__dir().trim()).toAbsolutePath();
        } else {
            File data = context.getDataFile("sdk/python");
            sdkDir = data != null ? data.toPath() : Path.of(System.getProperty("java.io.tmpdir"), "ias-sdk", "python");
        }
        try {
            ProcessRuntime.installSdk(sdkDir);
        } catch (IOException e) {
            LOG.warn("The Python SDK cannot be installed into {} (Python instances cannot import platform_lib): {}",
                    sdkDir, e.toString());
        }
        Settings settings = new Settings(Settings.commands(Settings.DEFAULT_INTERPRETERS, config.interpreters()),
                Settings.pairs(Settings.DEFAULT_EXTENSIONS, config.extensions()),
                sdkDir, config.max__line__length(), Duration.ofSeconds(2), Duration.ofSeconds(1),
                Duration.ofMillis(500));
        this.stopGrace = Duration.ofMillis(Math.max(0, config.stop__grace__ms()));
        File area = context.getDataFile("");
        this.runtime = new ProcessRuntime(settings, area == null ? null : area.getAbsolutePath());
        int leftovers = runtime.killLeftovers();
        if (leftovers > 0) {
            LOG.warn("Killed {} process(es) left running by this node's previous run (it was not stopped cleanly); the "
                    + "platform runs their instances again where it places them", leftovers);
        }
        LOG.info("Process runtime ready (SDK in {}; langs {})", sdkDir, settings.interpreters().keySet());
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
