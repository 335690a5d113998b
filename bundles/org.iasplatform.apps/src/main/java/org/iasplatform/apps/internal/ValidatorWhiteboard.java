package org.iasplatform.apps.internal;

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

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@link ConfigValidator} services in force, with the kinds each declares in its {@value ConfigValidator#PROPERTY_KIND}
 * property. Thread-safe: services come and go while uploads are checked.
 */
final class ValidatorWhiteboard {
    private static final Logger LOG = LoggerFactory.getLogger(ValidatorWhiteboard.class);

    private final Map<ConfigValidator, List<String>> validators = new ConcurrentHashMap<>();

    void add(ConfigValidator validator, Map<String, ?> properties) {
        validators.put(validator, kinds(properties.get(ConfigValidator.PROPERTY_KIND)));
    }

    void remove(ConfigValidator validator) {
        validators.remove(validator);
    }

    int count(ConfigKind kind) {
        return (int) validators.values().stream().filter(k -> k.contains(kind.id())).count();
    }

    /**
     * Every error the validators of {@code kind} find in {@code item} (paths relative to it). A validator that fails is
     * reported as an error of the item (it could not be checked), never ignored.
     */
    List<ValidationError> validate(ConfigKind kind, JsonNode item) {
        List<ValidationError> errors = new ArrayList<>();
        validators.forEach((validator, kinds) -> {
            if (kinds.contains(kind.id())) {
                try {
                    List<ValidationError> found = validator.validate(kind, item);
                    if (found != null) {
                        errors.addAll(found);
                    }
                } catch (RuntimeException e) {
                    LOG.error("Validator {} failed on a {}; treating the input as invalid", validator.getClass().getName(),
                            kind.id(), e);
                    errors.add(new ValidationError("", "could not be checked (validator "
                            + validator.getClass().getSimpleName() + " failed); try again or contact the platform admin"));
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
