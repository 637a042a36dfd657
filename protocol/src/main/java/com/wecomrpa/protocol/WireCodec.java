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

  // On the wire: an absent field is left out rather than sent as null, and a field this build does
  // not know is ignored, so adjacent releases talk (a peer one release older or newer; see Release).
  private static final com.fasterxml.jackson.databind.ObjectWriter WIRE_WRITER =
      MAPPER.copy().setSerializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL).writerFor(Message.class);
  private static final com.fasterxml.jackson.databind.ObjectReader WIRE_READER =
      MAPPER.readerFor(Message.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private WireCodec() {}

  public static String encode(Message message) {
    try {
      return WIRE_WRITER.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + message.getClass().getSimpleName(), e);
    }
  }

  /** @throws MalformedMessageException when the text is not a known message */
  public static Message decode(String text) {
    try {
      return WIRE_READER.readValue(text);
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
