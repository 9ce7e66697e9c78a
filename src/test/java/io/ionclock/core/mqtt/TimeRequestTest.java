package io.ionclock.core.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeRequestTest {
    final TimeRequest r = new TimeRequest();

    RequestError parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return r.parse(b, 0, b.length);
    }

    @Test
    void wellFormedRequests() {
        assertNull(parse("{\"t1Nanos\": 1795295453368720505}"));
        assertEquals(1795295453368720505L, r.t1Nanos);
        assertNull(r.replyTo);
        assertNull(r.idJson);
        assertNull(parse(" {\"t1Nanos\":-5,\"replyTo\":\"sensors/s1/time\",\"id\":\"a\\\"b\",\"x\":[]} ".replace("[]", "null")));
        assertEquals(-5, r.t1Nanos);
        assertEquals("sensors/s1/time", r.replyTo);
        assertEquals("\"a\\\"b\"", r.idJson);
        assertNull(parse("{\"id\":42,\"t1Nanos\":0,\"other\":1.5e3,\"flag\":true,\"s\":\"\\u00e9\\n\"}"));
        assertEquals("42", r.idJson);
        assertNull(parse("{\"t1Nanos\":9223372036854775807,\"replyTo\":\"t/\u00e9\"}"));
        assertEquals(Long.MAX_VALUE, r.t1Nanos);
        assertEquals("t/\u00e9", r.replyTo);
    }

    @Test
    void everyBadRequestIsNamed() {
        assertEquals(RequestError.MALFORMED_JSON, parse(""));
        assertEquals(RequestError.MALFORMED_JSON, parse("garbage"));
        assertEquals(RequestError.MALFORMED_JSON, parse("{\"t1Nanos\":1"));
        assertEquals(RequestError.MALFORMED_JSON, parse("{\"t1Nanos\":1}x"));
        assertEquals(RequestError.MALFORMED_JSON, parse("{\"t1Nanos\":1,}"));
        assertEquals(RequestError.MALFORMED_JSON, parse("{\"t1Nanos\":1,\"s\":\"\\q\"}"));
        assertEquals(RequestError.MALFORMED_JSON, parse("{\"s\":\"\u0001\",\"t1Nanos\":1}"));
        assertEquals(RequestError.MISSING_T1, parse("{}"));
        assertEquals(RequestError.MISSING_T1, parse("{\"replyTo\":\"a\"}"));
        assertEquals("a", r.replyTo, "the reply topic is known even when the request is bad");
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":\"1\"}"));
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":1.5}"));
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":1e9}"));
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":9223372036854775808}"));
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":007}"));
        assertEquals(RequestError.BAD_T1, parse("{\"t1Nanos\":-}"));
        assertEquals(RequestError.NESTED_VALUE, parse("{\"t1Nanos\":1,\"x\":{\"y\":1}}"));
        assertEquals(RequestError.NESTED_VALUE, parse("{\"t1Nanos\":1,\"x\":[1]}"));
        assertEquals(RequestError.DUPLICATE_KEY, parse("{\"t1Nanos\":1,\"t1Nanos\":2}"));
        assertEquals(RequestError.BAD_REPLY_TO, parse("{\"t1Nanos\":1,\"replyTo\":5}"));
        assertEquals(RequestError.BAD_ID, parse("{\"t1Nanos\":1,\"id\":true}"));
        assertEquals(RequestError.BAD_ID, parse("{\"t1Nanos\":1,\"id\":\"" + "x".repeat(65) + "\"}"));
        assertEquals(RequestError.BAD_ID, parse("{\"t1Nanos\":1,\"id\":1.5}"));
        assertEquals(RequestError.STRING_TOO_LONG, parse("{\"t1Nanos\":1,\"k\":\"" + "x".repeat(1100) + "\"}"));
        StringBuilder many = new StringBuilder("{\"t1Nanos\":1");
        for (int i = 0; i < TimeRequest.KEYS_MAX; i++) {
            many.append(",\"k").append(i).append("\":1");
        }
        assertEquals(RequestError.TOO_MANY_KEYS, parse(many.append('}').toString()));
        assertEquals(RequestError.TOO_LARGE, parse("{\"t1Nanos\":1,\"p\":\"" + "x".repeat(TimeRequest.REQUEST_BYTES_MAX) + "\"}"));
        byte[] badUtf8 = {'{', '"', 's', '"', ':', '"', (byte) 0xc3, '"', '}'};
        assertEquals(RequestError.MALFORMED_JSON, r.parse(badUtf8, 0, badUtf8.length));
        assertEquals(RequestError.MALFORMED_JSON, r.parse(badUtf8, 5, 100), "a length past the array is refused");
    }

    /** Seeded mutations of good requests: the parser never throws and either accepts or names an error. */
    @Test
    void randomMutationsNeverThrow() {
        long seed = 17;
        Random random = new Random(seed);
        byte[] good = "{\"t1Nanos\":1795295453368720505,\"replyTo\":\"s/1\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = good.clone();
            int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(b.length + 1);
            RequestError err = r.parse(b, 0, length);
            if (err == null) {
                assertTrue(r.hasT1, "seed " + seed + " case " + i);
            }
        }
    }
}
