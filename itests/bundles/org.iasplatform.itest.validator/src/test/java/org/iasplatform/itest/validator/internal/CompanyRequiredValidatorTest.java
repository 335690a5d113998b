package org.iasplatform.itest.validator.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.List;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ValidationError;
import org.junit.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

public class CompanyRequiredValidatorTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final CompanyRequiredValidator validator = new CompanyRequiredValidator();

    private List<ValidationError> check(ConfigKind kind, String json) throws Exception {
        JsonNode item = mapper.readTree(json);
        return validator.validate(kind, item);
    }

    @Test
    public void acceptsTypeWithCompany() throws Exception {
        assertTrue(check(ConfigKind.SENSOR_TYPE,
                "{\"sensor_type_name\": \"gps-sensor\", \"company\": \"samsung\", \"sensor_data_structure\": {\"x\": \"float\"}}")
                .isEmpty());
    }

    @Test
    public void rejectsMissingBlankOrNonTextCompany() throws Exception {
        for (String company : new String[] { "", ", \"company\": \"\"", ", \"company\": \"  \"", ", \"company\": 5",
                ", \"company\": null" }) {
            List<ValidationError> errors = check(ConfigKind.SENSOR_TYPE,
                    "{\"sensor_type_name\": \"t\"" + company + ", \"sensor_data_structure\": {\"x\": \"float\"}}");
            assertEquals(company, List.of(new ValidationError("/company",
                    "company is required by this site's policy: name the sensor's manufacturer")), errors);
        }
    }

    @Test
    public void ignoresOtherKinds() throws Exception {
        assertTrue(check(ConfigKind.SENSOR_INSTANCE, "{\"sensor_type\": \"t\", \"ip\": \"127.0.0.1\", \"port\": 1}").isEmpty());
    }
}
