package org.iasplatform.manager.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Splits the file forms of API.md into items: one object, an array, or {@code {"<wrapper>": [...]}} for sensor types and
 * instances; {@code {"noOfAlgo": N, "1": {...}, ...}} or {@code {"algorithms": [...]}} for deploy configs.
 */
final class DocumentForms {
    static final String DEPLOY_FORMS = "{\"noOfAlgo\": N, \"1\": {...}, \"2\": {...}} or {\"algorithms\": [...]}";
    private static final Pattern NUMBERED = Pattern.compile("[1-9][0-9]{0,8}");

    /** One item of a submitted document and where it stands in it (a JSON pointer). */
    record Item(String pointer, JsonNode node) {
    }

    private DocumentForms() {
    }

    static List<Item> split(JsonNode document, String wrapper, String what, int maxItems) throws IasException {
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new IasException(ErrorKind.INVALID, "", "the body is empty; expected a " + what + " object, an array of them, or {\""
                    + wrapper + "\": [...]}");
        }
        JsonNode list;
        String prefix;
        if (document.isObject() && document.has(wrapper)) {
            list = document.get(wrapper);
            prefix = "/" + wrapper;
            if (!list.isArray()) {
                throw new IasException(ErrorKind.INVALID, prefix, "\"" + wrapper + "\" must be an array of " + what + " objects");
            }
        } else if (document.isArray()) {
            list = document;
            prefix = "";
        } else if (document.isObject()) {
            return List.of(new Item("", document));
        } else {
            throw new IasException(ErrorKind.INVALID, "", "expected a " + what + " object, an array of them, or {\"" + wrapper
                    + "\": [...]}; got " + document.getNodeType().toString().toLowerCase());
        }
        if (list.isEmpty()) {
            throw new IasException(ErrorKind.INVALID, prefix, "no " + what + " given; expected at least one");
        }
        if (list.size() > maxItems) {
            throw new IasException(ErrorKind.TOO_LARGE, prefix, list.size() + " items given; at most " + maxItems
                    + " are accepted in one request");
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            items.add(new Item(prefix + "/" + i, list.get(i)));
        }
        return items;
    }

    /**
     * The algorithm entries of a deploy config, in the config's order: {@code /algorithms/0, /algorithms/1, ...} or, in the
     * seed form, {@code /1, /2, ...} by number (not by the order of the keys). A single algorithm object (no wrapper) is
     * accepted as one entry at pointer {@code ""}, as the deploy-config validators accept it.
     */
    static List<Item> splitDeployConfig(JsonNode document, int maxItems) throws IasException {
        requireDeployConfigObject(document);
        List<Item> items = new ArrayList<>();
        JsonNode algorithms = document.get("algorithms");
        if (algorithms != null) {
            if (!algorithms.isArray()) {
                throw new IasException(ErrorKind.INVALID, "/algorithms", "\"algorithms\" must be an array of algorithm objects");
            }
            checkCount(algorithms.size(), "/algorithms", maxItems);
            for (int i = 0; i < algorithms.size(); i++) {
                items.add(new Item("/algorithms/" + i, algorithms.get(i)));
            }
            return items;
        }
        Map<Integer, String> numbered = new TreeMap<>();
        for (Iterator<String> it = document.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (NUMBERED.matcher(key).matches()) {
                numbered.put(Integer.valueOf(key), key);
            }
        }
        if (numbered.isEmpty()) {
            if (document.has("algorithm_name") || document.has("application_name") || document.has("scheduling_info")) {
                return List.of(new Item("", document));
            }
            throw new IasException(ErrorKind.INVALID, "", "the deploy config lists no algorithms; expected " + DEPLOY_FORMS);
        }
        checkCount(numbered.size(), "", maxItems);
        JsonNode declared = document.get("noOfAlgo");
        if (declared != null && declared.asText().trim().matches("[0-9]{1,9}")
                && Integer.parseInt(declared.asText().trim()) != numbered.size()) {
            throw new IasException(ErrorKind.INVALID, "/noOfAlgo", "noOfAlgo is " + declared.asText() + " but "
                    + numbered.size() + " numbered algorithm entries are given; expected noOfAlgo to equal the number of entries");
        }
        numbered.values().forEach(key -> items.add(new Item("/" + key, document.get(key))));
        return items;
    }

    /** INVALID unless the document is a JSON object (the only shape of a deploy config). */
    static void requireDeployConfigObject(JsonNode document) throws IasException {
        if (document == null || document.isMissingNode() || document.isNull()) {
            throw new IasException(ErrorKind.INVALID, "", "the body is empty; expected a deploy config " + DEPLOY_FORMS);
        }
        if (!document.isObject()) {
            throw new IasException(ErrorKind.INVALID, "", "expected a deploy config object " + DEPLOY_FORMS + "; got "
                    + document.getNodeType().toString().toLowerCase());
        }
    }

    private static void checkCount(int count, String pointer, int maxItems) throws IasException {
        if (count == 0) {
            throw new IasException(ErrorKind.INVALID, pointer, "no algorithm given; expected at least one");
        }
        if (count > maxItems) {
            throw new IasException(ErrorKind.TOO_LARGE, pointer, count + " algorithms given; at most " + maxItems
                    + " are accepted in one deploy config");
        }
    }
}
