package org.iasplatform.validation.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

import org.iasplatform.api.validation.ConfigKind;
import org.iasplatform.api.validation.ConfigValidator;
import org.iasplatform.api.validation.ValidationError;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A whole deployConfig.json: the seed form {@code {"noOfAlgo": N, "1": {...}, ...}} or {@code {"algorithms": [...]}},
 * each algorithm with {@code application_name}, {@code algorithm_name}, {@code script_name}, {@code sensor_info},
 * {@code scheduling_info} (API.md's table) and {@code environment}.
 * <p>
 * Given a single algorithm object instead of a document, it is checked as that algorithm, paths relative to it.
 */
@Component(service = ConfigValidator.class, property = ConfigValidator.PROPERTY_KIND + "=deploy-config")
public class DeployConfigValidator extends SchemaBackedValidator {
    private static final Pattern NUMBERED = Pattern.compile(SchemaCheck.NUMBERED_ENTRY_PATTERN);
    private static final String FORMS = "{\"noOfAlgo\": N, \"1\": {...}, \"2\": {...}} or {\"algorithms\": [...]}";
    private static final String SINGLE = "1";

    public DeployConfigValidator() {
        super(ConfigKind.DEPLOY_CONFIG, "the deploy config");
    }

    @Override
    public List<ValidationError> validate(ConfigKind kind, JsonNode item) {
        if (kind == ConfigKind.DEPLOY_CONFIG && item != null && item.isObject() && isSingleAlgorithm(item)) {
            ObjectNode document = JsonNodeFactory.instance.objectNode();
            document.put("noOfAlgo", 1);
            document.set(SINGLE, item);
            List<ValidationError> errors = new ArrayList<>();
            for (ValidationError e : super.validate(kind, document)) {
                errors.add(Pointers.isSameOrAncestor("/" + SINGLE, e.path())
                        ? new ValidationError(e.path().substring(SINGLE.length() + 1), e.message()) : e);
            }
            return List.copyOf(errors);
        }
        return super.validate(kind, item);
    }

    private static boolean isSingleAlgorithm(JsonNode item) {
        if (item.has("noOfAlgo") || item.has("algorithms")) {
            return false;
        }
        for (Iterator<String> it = item.fieldNames(); it.hasNext();) {
            if (NUMBERED.matcher(it.next()).matches()) {
                return false;
            }
        }
        return item.has("algorithm_name") || item.has("application_name") || item.has("scheduling_info")
                || item.has("sensor_info");
    }

    @Override
    void check(JsonNode item, Problems problems) {
        List<String> numbered = new ArrayList<>();
        item.fieldNames().forEachRemaining(k -> {
            if (NUMBERED.matcher(k).matches()) {
                numbered.add(k);
            }
        });
        JsonNode algorithms = item.get("algorithms");
        JsonNode declared = item.get("noOfAlgo");
        if (algorithms != null) {
            if (declared != null || !numbered.isEmpty()) {
                problems.add("", "the deploy config mixes its two forms (algorithms and noOfAlgo with numbered entries); "
                        + "expected one of them: " + FORMS);
            }
            if (algorithms.isArray()) {
                for (int i = 0; i < algorithms.size(); i++) {
                    checkAlgorithm(algorithms.get(i), Pointers.child("/algorithms", i), problems);
                }
            }
        } else if (declared == null && numbered.isEmpty()) {
            problems.add("", "the deploy config lists no algorithms; expected " + FORMS);
        } else if (declared == null) {
            problems.add("/noOfAlgo", "noOfAlgo is required with numbered entries: expected the number of numbered "
                    + "algorithm entries, here " + numbered.size());
        } else {
            checkCount(declared, numbered, problems);
        }
        for (String key : numbered) {
            checkAlgorithm(item.get(key), Pointers.child("", key), problems);
        }
    }

    private static void checkCount(JsonNode declared, List<String> numbered, Problems problems) {
        long n;
        if (declared.canConvertToExactIntegral() && declared.canConvertToLong()) {
            n = declared.asLong();
        } else if (declared.isTextual() && declared.asText().matches("[0-9]{1,9}")) {
            n = Long.parseLong(declared.asText());
        } else {
            if (declared.isTextual()) {
                problems.add("/noOfAlgo", "noOfAlgo " + Texts.quote(declared.asText()) + " is not a number; expected the "
                        + "number of numbered algorithm entries, here " + numbered.size());
            }
            return;
        }
        if (n < 1) {
            problems.add("/noOfAlgo", "noOfAlgo is " + n + "; expected 1 or more: the number of numbered algorithm entries "
                    + "(\"1\", \"2\", ...)");
            return;
        }
        if (n != numbered.size()) {
            problems.add("/noOfAlgo", "noOfAlgo is " + n + " but " + Texts.plural(numbered.size(), "numbered algorithm entry is",
                    "numbered algorithm entries are") + " given; expected noOfAlgo to equal the number of entries");
            return;
        }
        for (String key : numbered) {
            if (key.length() > 9 || Long.parseLong(key) > n) {
                problems.add(Pointers.child("", key), "entry " + Texts.quote(key) + " is out of sequence; expected entries "
                        + "numbered \"1\" to \"" + n + "\"");
            }
        }
    }

    private static void checkAlgorithm(JsonNode algorithm, String at, Problems problems) {
        if (algorithm == null || !algorithm.isObject()) {
            return;
        }
        checkScripts(algorithm.get("script_name"), at + "/script_name", problems);
        checkSensorInfo(algorithm.get("sensor_info"), at + "/sensor_info", problems);
        JsonNode scheduling = algorithm.get("scheduling_info");
        if (scheduling != null && scheduling.isObject()) {
            String requestType = Names.text(scheduling.get("request_type"));
            if ("start".equals(requestType) && algorithm.get("sensor_info") == null) {
                problems.add(at + "/sensor_info", "sensor_info is required for a start request: expected a list of the "
                        + "sensors to bind, each {sensor_type, filter_sensors: [{tag: value}]}");
            }
            checkScheduling(scheduling, at + "/scheduling_info", problems);
        }
    }

    private static void checkScripts(JsonNode scripts, String at, Problems problems) {
        if (scripts == null) {
            return;
        }
        if (scripts.isTextual()) {
            checkScript(scripts.asText(), at, problems);
        } else if (scripts.isArray()) {
            for (int i = 0; i < scripts.size(); i++) {
                if (scripts.get(i).isTextual()) {
                    checkScript(scripts.get(i).asText(), Pointers.child(at, i), problems);
                }
            }
        }
    }

    private static void checkScript(String name, String at, Problems problems) {
        if (name.isEmpty()) {
            return; // the schema reports it
        }
        String problem = Names.fileNameProblem(name);
        if (problem != null) {
            problems.add(at, "script name " + Texts.quote(name) + " " + problem + "; expected " + Names.FILE_NAME_EXPECTED);
        }
    }

    private static void checkSensorInfo(JsonNode sensors, String at, Problems problems) {
        if (sensors == null || !sensors.isArray()) {
            return;
        }
        for (int i = 0; i < sensors.size(); i++) {
            JsonNode filters = sensors.get(i).get("filter_sensors");
            if (filters == null || !filters.isArray()) {
                continue;
            }
            for (int k = 0; k < filters.size(); k++) {
                JsonNode filter = filters.get(k);
                if (!filter.isObject()) {
                    continue;
                }
                for (Iterator<String> it = filter.fieldNames(); it.hasNext();) {
                    String tag = it.next();
                    if (tag.isBlank()) {
                        problems.add(Pointers.child(Pointers.child(Pointers.child(at, i) + "/filter_sensors", k), tag),
                                "a filter names an empty tag; expected tag values such as {\"bus-id\": \"1\"}");
                    }
                }
            }
        }
    }

    private static void checkScheduling(JsonNode s, String at, Problems problems) {
        String requestType = Names.text(s.get("request_type"));
        if ("stop".equals(requestType) && s.get("job_id") == null) {
            problems.add(at + "/job_id", "job_id is required for a stop request: expected the id of the job to stop, as "
                    + "returned when it was deployed");
        }
        Schedules.When start = time(s.get("start_time"), "start_time", Schedules.START_EXPECTED, at, problems);
        Schedules.When end = time(s.get("end_time"), "end_time", Schedules.END_EXPECTED, at, problems);
        if (start != null && end != null && start.instant() != null && end.instant() != null
                && !end.instant().isAfter(start.instant())) {
            problems.add(at + "/end_time", "end_time " + Texts.quote(s.get("end_time").asText()) + " is not after start_time "
                    + Texts.quote(s.get("start_time").asText()) + "; expected an end later than the start");
        }
        checkDays(s.get("days"), at + "/days", problems);

        boolean repeat = false;
        JsonNode repeatNode = s.get("repeat");
        if (repeatNode != null && repeatNode.isBoolean()) {
            repeat = repeatNode.asBoolean();
        } else if (repeatNode != null && repeatNode.isTextual()) {
            Boolean parsed = Schedules.parseRepeat(repeatNode.asText());
            if (parsed == null) {
                problems.add(at + "/repeat", "repeat " + Texts.quote(repeatNode.asText()) + " is not valid; expected "
                        + Schedules.REPEAT_EXPECTED);
            }
            repeat = Boolean.TRUE.equals(parsed);
        }

        JsonNode interval = s.get("interval");
        boolean periodic = false;
        if (interval != null && interval.isTextual()) {
            String text = interval.asText();
            if (!text.isEmpty()) {
                if (!text.matches("[0-9]{1,9}")) {
                    problems.add(at + "/interval", "interval " + Texts.quote(text) + " is not a number; expected "
                            + Schedules.INTERVAL_EXPECTED);
                } else if (Long.parseLong(text) < 1) {
                    problems.add(at + "/interval", "interval " + Texts.quote(text) + " is not positive; expected "
                            + Schedules.INTERVAL_EXPECTED);
                } else {
                    periodic = true;
                }
            }
        } else if (interval != null && interval.canConvertToExactIntegral()) {
            if (!interval.canConvertToInt() || interval.asLong() < 1) {
                problems.add(at + "/interval", "interval " + interval.asText() + " is not a positive number of minutes; "
                        + "expected " + Schedules.INTERVAL_EXPECTED);
            } else {
                periodic = true;
            }
        }
        if (periodic && !repeat) {
            problems.add(at + "/interval", "interval " + Texts.value(interval) + " makes a periodic task, which needs repeat "
                    + "\"yes\"" + (repeatNode == null ? " (repeat is not given)" : " (repeat is " + Texts.value(repeatNode) + ")")
                    + "; expected repeat set to yes, or interval left empty (\"\")");
        }
    }

    private static Schedules.When time(JsonNode node, String field, String expected, String at, Problems problems) {
        if (node == null || !node.isTextual()) {
            return null;
        }
        Schedules.When when = Schedules.parseTime(node.asText());
        if (when == null) {
            problems.add(at + "/" + field, field + " " + Texts.quote(node.asText()) + " is not a valid time; expected "
                    + expected);
        }
        return when;
    }

    private static void checkDays(JsonNode days, String at, Problems problems) {
        if (days == null) {
            return;
        }
        if (days.isArray()) {
            for (int i = 0; i < days.size(); i++) {
                JsonNode day = days.get(i);
                if (day.isTextual() && !Schedules.isDay(day.asText())) {
                    problems.add(Pointers.child(at, i), "unknown day " + Texts.quote(day.asText()) + "; expected "
                            + Schedules.DAY_EXPECTED);
                }
            }
        } else if (days.isTextual()) {
            List<String> names = Schedules.parseDayList(days.asText());
            if (names == null) {
                problems.add(at, "days " + Texts.quote(days.asText()) + " is not a list; expected " + Schedules.DAYS_EXPECTED);
                return;
            }
            List<String> unknown = names.stream().filter(n -> !Schedules.isDay(n)).map(Texts::quote).toList();
            if (!unknown.isEmpty()) {
                problems.add(at, "days " + Texts.quote(days.asText()) + " names "
                        + (unknown.size() == 1 ? "an unknown day " : "unknown days ") + Texts.all(unknown) + "; expected "
                        + Schedules.DAY_EXPECTED);
            }
        }
    }
}
