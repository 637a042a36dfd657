package com.wecomrpa.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** JSON form of {@link Message}s; both ends use this one mapper configuration. */
public final class WireCodec {
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private WireCodec() {}

  public static String encode(Message message) {
    try {
      return MAPPER.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** @throws MalformedMessageException when the text is not a known message */
  public static Message decode(String text) {
    try {
      return MAPPER.readValue(text, Message.class);
    } catch (JsonProcessingException e) {
      throw new MalformedMessageException(e.getOriginalMessage());
    }
  }

  /** The configured mapper, for callers that need the same JSON conventions. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
      super(message);
    }
  }
}
