package org.iasplatform.strategy.ssh.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

public class SettingsTest {

    /** A property's name from a method's, as DS 1.4 maps them: "__" is "_", a single "_" is ".", "$$" is "$". */
    static String propertyName(String method) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            boolean doubled = i + 1 < method.length() && method.charAt(i + 1) == c;
            if (c == '_') {
                name.append(doubled ? '_' : '.');
                i += doubled ? 1 : 0;
            } else if (c == '$') {
                if (doubled) {
                    name.append('$');
                    i++;
                }
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    /** The configuration as SCR hands it over: properties by name (see {@link #propertyName}), else defaults. */
    static SshProbeStrategy.Config config(Map<String, Object> properties) {
        return (SshProbeStrategy.Config) Proxy.newProxyInstance(SettingsTest.class.getClassLoader(),
                new Class<?>[] {SshProbeStrategy.Config.class}, (proxy, method, args) -> {
                    String name = propertyName(method.getName());
                    if (properties.containsKey(name)) {
                        return properties.get(name);
                    }
                    if (method.getDefaultValue() != null) {
                        return method.getDefaultValue();
                    }
                    return switch (method.getName()) {
                        case "toString" -> "Config" + properties;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    @Test
    public void hostEntriesAreNodeIdUserHostAndPort() {
        assertEquals(new HostTarget("node-1", "ias", "10.0.0.5", 22), HostTarget.parse("node-1=ias@10.0.0.5"));
        assertEquals(new HostTarget("node-2", "root", "worker.example", 2222),
                HostTarget.parse("  node-2 = root@worker.example:2222 "));
        assertEquals(new HostTarget("n", "ias", "fd00::5", 2222), HostTarget.parse("n=ias@[fd00::5]:2222"));
        assertEquals(new HostTarget("n", "ias", "fd00::5", 22), HostTarget.parse("n=ias@[fd00::5]"));
        assertEquals(new HostTarget("n", "ias", "fd00::5", 22), HostTarget.parse("n=ias@fd00::5"));
        assertEquals(new HostTarget("n", "first.last@corp", "h", 22), HostTarget.parse("n=first.last@corp@h"));
        assertEquals("ias@[fd00::5]:2222", HostTarget.parse("n=ias@[fd00::5]:2222").address());
        assertEquals("n=ias@h:22", HostTarget.parse("n=ias@h").toString());
    }

    @Test
    public void wrongHostEntriesAreRefusedSayingWhy() {
        for (String wrong : new String[] {"", "node", "=ias@h", "n=h", "n=@h", "n=ias@", "n=ias@h:0", "n=ias@h:65536",
                "n=ias@h:ssh", "n=ias@[fd00::5", "n=ias@[fd00::5]2222", "n=i as@h"}) {
            IllegalArgumentException e = assertThrows(wrong, IllegalArgumentException.class,
                    () -> HostTarget.parse(wrong));
            assertTrue(e.getMessage(), e.getMessage().contains(wrong.strip()));
        }
    }

    @Test
    public void hostsComeAsSeveralValuesOrCommaSeparatedWrongOnesAndDuplicatesReported() {
        List<String> problems = new ArrayList<>();
        Settings settings = Settings.of(config(Map.of("hosts", new String[] {
            "a=ias@10.0.0.1, b=ias@10.0.0.2:2222", "c=nonsense", "a=other@10.0.0.9", " ", "d=ias@10.0.0.4"})),
                problems::add);
        assertEquals(List.of("a", "b", "d"), List.copyOf(settings.hosts().keySet()));
        assertEquals(new HostTarget("a", "ias", "10.0.0.1", 22), settings.hosts().get("a"));
        assertEquals(2, problems.size());
        assertTrue(problems.get(0), problems.get(0).contains("c=nonsense"));
        assertTrue(problems.get(1), problems.get(1).contains("node a is named twice"));
    }

    @Test
    public void defaultsAndTimes() {
        Settings settings = Settings.of(config(Map.of()), p -> {
            throw new AssertionError(p);
        });
        assertTrue(settings.hosts().isEmpty());
        assertFalse(settings.strictHostKeys());
        assertEquals(Duration.ofSeconds(15), settings.cacheFor());
        assertEquals(Duration.ofMillis(2000), settings.probeWait());
        assertEquals(Duration.ofMillis(3000), settings.connectTimeout());
        assertEquals(Duration.ofMillis(5000), settings.commandTimeout());
        assertEquals(4, settings.maxParallelProbes());

        settings = Settings.of(config(Map.of("known_hosts_file", " /etc/ias/known_hosts ", "cache_seconds", 0,
                "probe_wait_ms", 250, "max_parallel_probes", 0)), p -> {
                });
        assertTrue(settings.strictHostKeys());
        assertEquals("/etc/ias/known_hosts", settings.knownHostsFile());
        assertEquals(Duration.ZERO, settings.cacheFor());
        assertEquals(Duration.ofMillis(250), settings.probeWait());
        assertEquals(1, settings.maxParallelProbes());
    }

    @Test
    public void theSecretsArePrivatePropertiesOfPasswordTypeSoNeitherServicePropertiesNorFormsShowThem()
            throws Exception {
        // a component property whose name starts with "." is not copied into the service's properties (DS 112.6),
        // so service:list and the strategy registry never see the password; PASSWORD type makes forms mask it
        String metatype;
        try (var in = SettingsTest.class.getResourceAsStream(
                "/OSGI-INF/metatype/org.iasplatform.strategy.ssh.internal.SshProbeStrategy$Config.xml")) {
            metatype = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(metatype, metatype.contains("<AD id=\".password\" type=\"Password\""));
        assertTrue(metatype, metatype.contains("<AD id=\".private_key_passphrase\" type=\"Password\""));
        for (String id : new String[] {"hosts", "private_key_file", "known_hosts_file", "connect_timeout_ms",
            "command_timeout_ms", "cache_seconds", "probe_wait_ms", "max_parallel_probes"}) {
            assertTrue(id, metatype.contains("<AD id=\"" + id + "\""));
        }
        assertEquals(".password", propertyName("_password"));
        assertEquals("known_hosts_file", propertyName("known__hosts__file"));
    }

    @Test
    public void secretsNeverShowInTheSettingsText() {
        Settings settings = Settings.of(config(Map.of("hosts", new String[] {"a=ias@10.0.0.1"}, ".password",
                "pw-Zebra-42", "private_key_file", "/etc/ias/id_ecdsa", ".private_key_passphrase", "pp-Quokka-7")),
                p -> {
                });
        String text = settings.toString();
        assertFalse(text, text.contains("pw-Zebra-42"));
        assertFalse(text, text.contains("pp-Quokka-7"));
        assertTrue(text, text.contains("password (set)") && text.contains("(passphrase set)"));
        assertTrue(text, text.contains("a=ias@10.0.0.1:22") && text.contains("/etc/ias/id_ecdsa"));
    }
}
