package com.wecomrpa.protocol;

/**
 * A lease an agent still holds when it says hello: the job is {@code running} on the device now,
 * or {@code finished} with {@code outcome} and its report waits in the agent's outbox. The
 * controller settles each before it offers anything to that device, so a lease it lost in a crash
 * is adopted rather than granted again.
 */
public record HeldLease(String jobId, long fencingToken, String deviceId, Phase phase, Outcome outcome) {
  public enum Phase {
    /** The device is working on the job right now. */
    RUNNING,
    /** The job ended on the device; its report follows after the welcome. */
    FINISHED
  }

  public LeaseRef ref() {
    return new LeaseRef(jobId, fencingToken, deviceId);
  }
}
