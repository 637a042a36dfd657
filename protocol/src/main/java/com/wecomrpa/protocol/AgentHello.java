package com.wecomrpa.protocol;

import java.util.List;

/**
 * First message on a connection. The token is checked before anything else is read; the devices
 * are what the agent offers to run jobs on. {@code held} lists the leases the agent still holds
 * from before this connection (jobs running, or finished with a report not yet acknowledged), so
 * a restarted controller settles them before offering those devices anything.
 */
public record AgentHello(
    String agentId, String token, String agentVersion, List<DeviceInfo> devices, List<HeldLease> held)
    implements Message {}
