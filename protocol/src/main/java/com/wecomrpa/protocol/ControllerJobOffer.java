package com.wecomrpa.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A job handed to one device under a lease. Every report and renewal must quote {@code
 * fencingToken}; one from an older lease is refused. With {@code verifySinceMillis} set, an
 * earlier attempt may have sent: the device must first look for the message in the chat (received
 * at or after that time) and send only if it is not there.
 */
public record ControllerJobOffer(
    String jobId,
    long fencingToken,
    String deviceId,
    String accountId,
    String action,
    Map<String, String> params,
    int attempt,
    Instant leaseExpiresAt,
    Long verifySinceMillis,
    String scriptVersion)
    implements Message {
  public ControllerJobOffer withScriptVersion(String version) {
    return new ControllerJobOffer(jobId, fencingToken, deviceId, accountId, action, params, attempt, leaseExpiresAt, verifySinceMillis, version);
  }
}
