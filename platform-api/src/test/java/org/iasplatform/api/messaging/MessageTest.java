package org.iasplatform.api.messaging;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

public class MessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Message message(String value) {
        return new Message("t", "k", value, 1L, 2, 3L);
    }

    @Test
    public void aJsonObjectIsReadAndAnythingElseIsSaidWhatItIs() throws Exception {
        assertEquals("x", message("{\"op\": \"x\"}").jsonObject(JSON).path("op").asText());
        assertTrue(assertThrows(NotAJsonObjectException.class, () -> message("{nope").jsonObject(JSON)).getMessage()
                .startsWith("not JSON: "));
        assertEquals("not a JSON object", assertThrows(NotAJsonObjectException.class, () -> message("[1]").jsonObject(JSON))
                .getMessage());
        assertEquals("not a JSON object", assertThrows(NotAJsonObjectException.class, () -> message("").jsonObject(JSON))
                .getMessage());
        assertEquals("not a JSON object", assertThrows(NotAJsonObjectException.class, () -> message(null).jsonObject(JSON))
                .getMessage());
        assertEquals("k at t-2@3", message("{}").position());
    }
}
