package org.iasplatform.api.validation;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks one item of a submitted configuration (one sensor type, one sensor instance, an appConfig, one algorithm of a
 * deploy config) before anything is stored or sent.
 * <p>
 * Whiteboard: register implementations as OSGi services with the {@value #PROPERTY_KIND} property listing the
 * {@link ConfigKind#id() kinds} they check. The platform manager applies every registered validator of a kind; a validator
 * bundle installed at runtime takes effect at once.
 */
@ConsumerType
public interface ConfigValidator {
    /** Service property: the {@link ConfigKind#id()} values this validator checks (String or String[]). */
    String PROPERTY_KIND = "ias.config.kind";

    /**
     * @param kind the kind of {@code item}
     * @param item one item, already separated from its file form (single object, array or {@code *_list} wrapper)
     * @return every problem found, paths as JSON pointers relative to {@code item}; empty when the item is acceptable
     */
    List<ValidationError> validate(ConfigKind kind, JsonNode item);
}
