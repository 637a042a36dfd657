package com.wecomrpa.controller.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.wecomrpa.controller.rollout.ScriptRouting;
import com.wecomrpa.protocol.DeviceInfo;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pass looks at the idle devices first and takes only those it has something for. */
class DeviceBoardTest {
  private static final AgentLink LINK = message -> true;

  private static DeviceInfo device(String id) {
    return new DeviceInfo(id, "acc-" + id, "wecom-sim", "sim-1", "none", "wecom-sim@test");
  }

  private static List<String> ids(List<DeviceBoard.FreeDevice> devices) {
    return devices.stream().map(DeviceBoard.FreeDevice::deviceId).toList();
  }

  @Test
  void aLookTakesNothingAndADeviceIsTakenByOnePassOnly() {
    DeviceBoard board = new DeviceBoard(Clock.systemUTC(), new ScriptRouting(), 3);
    board.register("agent-1", List.of(device("d1"), device("d2"), device("d3")), List.of(), LINK);

    List<DeviceBoard.FreeDevice> seen = board.idle();
    assertEquals(List.of("d1", "d2", "d3"), ids(seen));
    assertEquals(List.of("d1", "d2", "d3"), ids(board.idle()), "looking takes nothing");

    assertEquals(List.of("d2"), ids(board.take(List.of(seen.get(1)))));
    assertEquals(List.of("d1", "d3"), ids(board.idle()), "the device taken is no longer idle");
    assertEquals(List.of(), ids(board.take(List.of(seen.get(1)))), "a second pass does not take it again");
    assertEquals(List.of("d1"), ids(board.take(List.of(seen.get(0)))), "a device the pass did not want stays free for the next");
    board.unclaim("d1");

    board.unclaim("d2");
    assertEquals(List.of("d1", "d2", "d3"), ids(board.idle()));
  }

  @Test
  void aDeviceThatReconnectedMeanwhileIsNotTakenThroughItsOldConnection() {
    DeviceBoard board = new DeviceBoard(Clock.systemUTC(), new ScriptRouting(), 3);
    board.register("agent-1", List.of(device("d1")), List.of(), LINK);
    List<DeviceBoard.FreeDevice> seen = board.idle();

    AgentLink again = message -> true;
    board.register("agent-1", List.of(device("d1")), List.of(), again);
    assertEquals(List.of(), ids(board.take(seen)));

    List<DeviceBoard.FreeDevice> taken = board.take(board.idle());
    assertEquals(List.of("d1"), ids(taken));
    assertEquals(again, taken.get(0).link());
  }
}
