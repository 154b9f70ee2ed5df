package verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A JSON value compared as text, or as the value Snowflake's VARIANT keeps. */
class JsonFormTest {

    @Test
    void asAValueWhitespaceMemberOrderAndTrailingZerosDoNotCount() {
        assertThat(JsonForm.VALUE.of("{\"b\": 2.50, \"a\": [1, {\"c\": null}]}"))
                .isEqualTo(JsonForm.VALUE.of("{\n  \"a\": [\n    1,\n    {\n      \"c\": null\n    }\n  ],\n  \"b\": 2.5\n}"))
                .isEqualTo("{\"a\":[1,{\"c\":null}],\"b\":2.5}");
        assertThat(JsonForm.VALUE.of("1e2")).isEqualTo(JsonForm.VALUE.of("100.0"));
        assertThat(JsonForm.VALUE.of("\"caf\\u00e9\"")).isEqualTo(JsonForm.VALUE.of("\"café\""));
    }

    @Test
    void asAValueADifferentValueStillDiffers() {
        assertThat(JsonForm.VALUE.of("{\"b\": 2.5}")).isNotEqualTo(JsonForm.VALUE.of("{\"b\": 2.51}"));
        assertThat(JsonForm.VALUE.of("[1, 2]")).isNotEqualTo(JsonForm.VALUE.of("[2, 1]"));
        assertThat(JsonForm.VALUE.of("\"1\"")).isNotEqualTo(JsonForm.VALUE.of("1"));
        assertThat(JsonForm.VALUE.of("null")).isEqualTo("null");
        assertThat(JsonForm.VALUE.of(null)).isNull();
    }

    @Test
    void anArrayOfJsonIsComparedElementByElementAndTextIsLeftAsItIs() {
        assertThat(JsonForm.VALUE.of(Arrays.asList("{ \"a\" : 1 }", null))).isEqualTo(Arrays.asList("{\"a\":1}", null));
        assertThat(JsonForm.TEXT.of("{ \"a\" : 1 }")).isEqualTo("{ \"a\" : 1 }");
        assertThat(JsonForm.VALUE.of("not json")).isEqualTo("not json");
        assertThat(JsonForm.TEXT.of(List.of())).isEqualTo(List.of());
    }
}
