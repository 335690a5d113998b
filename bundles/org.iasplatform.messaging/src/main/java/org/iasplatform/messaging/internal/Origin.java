package org.iasplatform.messaging.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Who made a subscription: the bundle of the first code outside this package on the subscribing thread's stack, and the
 * classes of that code on the stack (innermost first, nested classes as their top-level class). A component's own class
 * is among them when it subscribed from its activation, its methods or its lambdas, whichever thread ran them.
 *
 * @param bundle  the symbolic name of that code's bundle; null outside an OSGi framework
 * @param callers the class names, at most {@value #MAX_CALLERS}
 */
record Origin(String bundle, List<String> callers) {
    static final int MAX_CALLERS = 16;
    private static final String OWN_PACKAGE = Origin.class.getPackageName() + ".";
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    /** The origin of the current call into this package. */
    static Origin ofCaller() {
        List<Class<?>> frames = WALKER.walk(s -> s.map(StackWalker.StackFrame::getDeclaringClass)
                .dropWhile(c -> c.getName().startsWith(OWN_PACKAGE)).limit(256).toList());
        if (frames.isEmpty()) {
            return new Origin(null, List.of());
        }
        Class<?> caller = frames.get(0);
        ClassLoader loader = caller.getClassLoader();
        Set<String> names = new LinkedHashSet<>();
        for (Class<?> c : frames) {
            if (c.getClassLoader() == loader && !c.getName().startsWith(OWN_PACKAGE)) {
                names.add(topLevel(c.getName()));
                if (names.size() == MAX_CALLERS) {
                    break;
                }
            }
        }
        return new Origin(bundleOf(caller), new ArrayList<>(names));
    }

    private static String bundleOf(Class<?> type) {
        try {
            return Optional.ofNullable(FrameworkUtil.getBundle(type)).map(Bundle::getSymbolicName).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            return null; // no OSGi framework API at hand (plain class path)
        }
    }

    private static String topLevel(String className) {
        int nested = className.indexOf('$');
        return nested < 0 ? className : className.substring(0, nested);
    }
}
