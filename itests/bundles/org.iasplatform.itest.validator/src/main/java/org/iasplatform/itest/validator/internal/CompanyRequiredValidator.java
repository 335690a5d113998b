package org.iasplatform.itest.validator.internal;

import java.util.List;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;

/** A site rule on top of the default sensor-type checks: every sensor type names its manufacturer. */
@Component(service = ConfigValidator.class, property = ConfigValidator.PROPERTY_KIND + "=sensor-type")
public class CompanyRequiredValidator implements ConfigValidator {
    static final String PATH = "/company";
    static final String MESSAGE = "company is required by this site's policy: name the sensor's manufacturer";

    @Override
    public List<ValidationError> validate(ConfigKind kind, JsonNode item) {
        if (kind != ConfigKind.SENSOR_TYPE || item == null || !item.isObject()) {
            return List.of(); // not ours, or not an object: the default validator reports that
        }
        JsonNode company = item.get("company");
        if (company == null || !company.isTextual() || company.asText().isBlank()) {
            return List.of(new ValidationError(PATH, MESSAGE));
        }
        return List.of();
    }
}
