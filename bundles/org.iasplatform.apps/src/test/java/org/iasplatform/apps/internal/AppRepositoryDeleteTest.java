package org.iasplatform.apps.internal;

import static org.iasplatform.apps.internal.Support.appConfigKind;
import static org.iasplatform.apps.internal.Support.busApp;
import static org.iasplatform.apps.internal.Support.busAppConfig;
import static org.iasplatform.apps.internal.Support.busSensors;
import static org.iasplatform.apps.internal.Support.defaults;
import static org.iasplatform.apps.internal.Support.instance;
import static org.iasplatform.apps.internal.Support.refused;
import static org.iasplatform.apps.internal.Support.stream;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;
import org.iasplatform.api.app.AppVersion;
import org.iasplatform.api.deploy.InstanceInfo;
import org.iasplatform.api.deploy.InstanceRegistry;
import org.iasplatform.api.deploy.InstanceState;
import org.iasplatform.validation.internal.AppConfigValidator;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Deleting an application: refused while an instance of it is scheduled or active, else every version and package. */
public class AppRepositoryDeleteTest {
    @Rule
    public final Support.Mongo mongo = new Support.Mongo();

    private AppRepositoryComponent repository;

    @Before
    public void twoApplicationsWithThreeVersions() throws Exception {
        repository = new AppRepositoryComponent(mongo.client(), busSensors(), defaults());
        repository.addValidator(new AppConfigValidator(), appConfigKind());
        repository.upload(stream(busApp().bytes()), null, "dev");
        repository.upload(stream(busApp().file("v2.txt", "2").bytes()), null, "dev");
        ObjectNode weather = busAppConfig().put("application_name", "Weather").put("application_id", "w-1");
        repository.upload(stream(busApp("", weather).bytes()), null, "dev");
        mongo.assertStored(3, 3);
    }

    @Test
    public void anUnknownApplicationIsNotFound() throws Exception {
        IasException e = refused(ErrorKind.NOT_FOUND, () -> repository.delete("Parking"));
        assertTrue(e.errors().get(0).message().contains("\"Parking\""));
        mongo.assertStored(3, 3);
    }

    @Test
    public void withoutAnInstanceRegistryAnApplicationIsDeletedWithAllItsVersions() throws Exception {
        repository.delete("Bus_management");

        assertTrue(repository.versions("2").isEmpty());
        assertTrue(repository.latest("Bus_management").isEmpty());
        assertEquals(List.of("Weather"), repository.apps().stream().map(AppVersion::applicationName).toList());
        mongo.assertStored(1, 1);
        refused(ErrorKind.NOT_FOUND, () -> repository.delete("2"));

        repository.delete("w-1");
        mongo.assertNothingStored();
    }

    @Test
    public void aRunningInstanceRefusesTheDeleteAndIsNamed() throws Exception {
        repository.setInstanceRegistry(new Support.FixedInstances(
                instance("inst-1", "Bus_management", "2", InstanceState.RUNNING),
                instance("inst-2", "Bus_management", "2", InstanceState.STOPPED),
                instance("inst-3", "Weather", "w-1", InstanceState.RUNNING)));

        IasException e = refused(ErrorKind.CONFLICT, () -> repository.delete("2"));

        String message = e.errors().get(0).message();
        assertTrue(message, message.contains("inst-1 (RUNNING") && !message.contains("inst-2") && !message.contains("inst-3"));
        mongo.assertStored(3, 3);
    }

    @Test
    public void scheduledStartingAndRestartingInstancesCountAsLiveMatchedByIdOrName() throws Exception {
        for (InstanceState state : List.of(InstanceState.SCHEDULED, InstanceState.STARTING, InstanceState.RESTARTING)) {
            repository.setInstanceRegistry(new Support.FixedInstances(instance("by-name", "Bus_management", null, state)));
            refused(ErrorKind.CONFLICT, () -> repository.delete("2"));
            repository.setInstanceRegistry(new Support.FixedInstances(instance("by-id", "renamed", "2", state)));
            refused(ErrorKind.CONFLICT, () -> repository.delete("Bus_management"));
        }
        mongo.assertStored(3, 3);
    }

    @Test
    public void stoppedAndFailedInstancesDoNotHoldTheApplication() throws Exception {
        repository.setInstanceRegistry(new Support.FixedInstances(
                instance("inst-1", "Bus_management", "2", InstanceState.STOPPED),
                instance("inst-2", "Bus_management", "2", InstanceState.FAILED)));
        repository.delete("Bus_management");
        mongo.assertStored(1, 1);
    }

    @Test
    public void theInstanceRegistryIsDynamic() throws Exception {
        InstanceRegistry running = new Support.FixedInstances(instance("inst-1", "Bus_management", "2", InstanceState.RUNNING));
        repository.setInstanceRegistry(running);
        refused(ErrorKind.CONFLICT, () -> repository.delete("2"));

        repository.unsetInstanceRegistry(new Support.FixedInstances());
        refused(ErrorKind.CONFLICT, () -> repository.delete("2")); // another service's unbind leaves the bound one

        repository.unsetInstanceRegistry(running);
        repository.delete("2");
        mongo.assertStored(1, 1);
    }

    @Test
    public void anInstanceRegistryThatFailsRefusesTheDelete() throws Exception {
        repository.setInstanceRegistry(new Support.FixedInstances() {
            @Override
            public List<InstanceInfo> instances() {
                throw new IllegalStateException("slc is down");
            }
        });
        IasException e = refused(ErrorKind.UNAVAILABLE, () -> repository.delete("2"));
        assertTrue(e.errors().get(0).message().contains("slc is down"));
        mongo.assertStored(3, 3);
    }
}
