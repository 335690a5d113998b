package org.iasplatform.testsupport;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Instances of a component's configuration annotation (what SCR passes to @Activate): its defaults, with some attributes
 * overridden by method name (e.g. {@code "connect__timeout__ms"}).
 */
public final class Configs {
    private Configs() {
    }

    public static <A> A of(Class<A> type, Map<String, Object> overrides) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
            String name = method.getName();
            if (overrides.containsKey(name)) {
                return overrides.get(name);
            }
            if (method.getDefaultValue() != null) {
                return method.getDefaultValue();
            }
            return switch (name) {
                case "annotationType" -> type;
                case "toString" -> type.getSimpleName() + overrides;
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                default -> throw new UnsupportedOperationException(name);
            };
        });
        return type.cast(proxy);
    }
}
