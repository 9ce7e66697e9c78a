package io.ionclock.core.mqtt;

/** Why a time request was refused; the name is the {@code error} field of the error reply and a metric tag. */
public enum RequestError {
    TOO_LARGE("request payload larger than the limit"),
    MALFORMED_JSON("payload is not a JSON object of strings and numbers"),
    NESTED_VALUE("objects and arrays are not allowed in a request"),
    TOO_MANY_KEYS("more keys than a request may have"),
    DUPLICATE_KEY("a key appears twice"),
    STRING_TOO_LONG("a string is longer than the limit"),
    MISSING_T1("t1Nanos is required"),
    BAD_T1("t1Nanos must be an integer (ns since the Unix epoch)"),
    BAD_REPLY_TO("replyTo must be a string"),
    BAD_ID("id must be a string or an integer, within the length limit"),
    NO_REPLY_TOPIC("no MQTT 5 response topic and no replyTo: nowhere to reply"),
    REPLY_TOPIC_NOT_ALLOWED("reply topic invalid, or under ionclock/ outside this gateway's time/reply/"),
    RATE_LIMITED("request rate over the limit");

    public final String message;

    RequestError(String message) {
        this.message = message;
    }
}
