package org.iasplatform.manager.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ConfigValidator services in force, by the kinds they declare. */
final class ValidatorWhiteboard {
    private static final Logger LOG = LoggerFactory.getLogger(ValidatorWhiteboard.class);

    private final Map<ConfigValidator, List<String>> validators = new ConcurrentHashMap<>();

    void add(ConfigValidator validator, Map<String, Object> properties) {
        validators.put(validator, kinds(properties.get(ConfigValidator.PROPERTY_KIND)));
    }

    void remove(ConfigValidator validator) {
        validators.remove(validator);
    }

    int count(ConfigKind kind) {
        return (int) validators.values().stream().filter(k -> k.contains(kind.id())).count();
    }

    /** Every error any validator of {@code kind} finds in {@code item}, placed under {@code pointer}. */
    List<ValidationError> validate(ConfigKind kind, String pointer, com.fasterxml.jackson.databind.JsonNode item) {
        List<ValidationError> errors = new ArrayList<>();
        validators.forEach((validator, kinds) -> {
            if (kinds.contains(kind.id())) {
                try {
                    validator.validate(kind, item).forEach(e -> errors.add(e.under(pointer)));
                } catch (RuntimeException e) {
                    LOG.error("Validator {} failed on a {}; treating the input as invalid", validator.getClass().getName(), kind.id(), e);
                    errors.add(new ValidationError(pointer, "could not be checked (validator " + validator.getClass().getSimpleName()
                            + " failed); try again or contact the platform admin"));
                }
            }
        });
        return errors;
    }

    private static List<String> kinds(Object property) {
        if (property instanceof String s) {
            return List.of(s);
        }
        if (property instanceof String[] array) {
            return List.of(array);
        }
        if (property instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
