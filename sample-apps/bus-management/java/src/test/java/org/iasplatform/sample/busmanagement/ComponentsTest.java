package org.iasplatform.sample.busmanagement;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

/** The Declarative Services descriptors bnd generated (before the tests run) name the algorithms as the runtime looks them up. */
public class ComponentsTest {
    private static String descriptor(Class<?> component) throws IOException {
        try (InputStream in = ComponentsTest.class.getResourceAsStream("/OSGI-INF/" + component.getName() + ".xml")) {
            assertNotNull("no DS descriptor for " + component.getName(), in);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    public void lightControlIsRegisteredAsAlgorithmLightControl() throws IOException {
        String xml = descriptor(LightControl.class);
        assertTrue(xml, xml.contains("name=\"ias.algorithm\"") && xml.contains("value=\"lightControl\""));
        assertTrue(xml, xml.contains("interface=\"org.iasplatform.api.algorithm.Algorithm\""));
    }

    @Test
    public void fareCalculatorIsRegisteredAsAlgorithmFareCalculator() throws IOException {
        String xml = descriptor(FareCalculator.class);
        assertTrue(xml, xml.contains("name=\"ias.algorithm\"") && xml.contains("value=\"fareCalculator\""));
        assertTrue(xml, xml.contains("interface=\"org.iasplatform.api.algorithm.Algorithm\""));
    }
}
