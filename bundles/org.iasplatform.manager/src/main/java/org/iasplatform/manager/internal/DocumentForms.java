package org.iasplatform.manager.internal;

import java.util.ArrayList;
import java.util.List;

import org.iasplatform.api.ErrorKind;
import org.iasplatform.api.IasException;

import com.fasterxml.jackson.databind.JsonNode;

/** Splits the three file forms of API.md (one object, an array, or {@code {"<wrapper>": [...]}}) into items. */
final class DocumentForms {
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
}
