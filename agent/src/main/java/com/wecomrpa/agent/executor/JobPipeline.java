package com.wecomrpa.agent.executor;

import com.wecomrpa.agent.driver.UiDriver;
import com.wecomrpa.agent.flow.FlowInterpreter;
import com.wecomrpa.agent.flow.FlowResult;
import com.wecomrpa.agent.journal.JobJournal;
import com.wecomrpa.protocol.ActionName;
import com.wecomrpa.protocol.AgentJobReport;
import com.wecomrpa.protocol.ControllerJobOffer;
import com.wecomrpa.protocol.FailureKind;
import com.wecomrpa.protocol.Outcome;
import com.wecomrpa.script.Flow;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on one device, from offer to result: answered from the journal if this agent already
 * sent it, verified in the chat first if an earlier attempt may have sent, otherwise run; a failure
 * is then explained (a risk state on screen) and classified (target, account or device). It never
 * sends blindly what may be out. The device worker owns the thread and the session; this owns the
 * decision of what to do on screen.
 */
final class JobPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(JobPipeline.class);

  /** A ready device: the scripts to run and the session to run them in. */
  record Session(FlowInterpreter interpreter, UiDriver driver) {}

  /** Opens the device for a job; throws {@link DeviceFault} when it cannot. */
  @FunctionalInterface
  interface Opener {
    Session open() throws DeviceFault;
  }

  /** The device could not be made ready: nothing was touched, the job waits for a working device. */
  static final class DeviceFault extends Exception {
    final String step;

    DeviceFault(String step, String message) {
      super(message);
      this.step = AgentJobReport.DEVICE_FAULT + step;
    }
  }

  /** What a job came to, and the evidence when it was settled without sending. */
  record Result(FlowResult flow, String evidence, FailureKind failure) {
    /** The risk state to report: only an account's (a missing target is signalled too, but is not one). */
    String riskSignal() {
      return failure == FailureKind.ACCOUNT ? flow.riskSignal() : null;
    }
  }

  private final String deviceId;

  JobPipeline(String deviceId) {
    this.deviceId = deviceId;
  }

  Result run(ControllerJobOffer offer, Optional<JobJournal.Entry> before, Opener device) {
    if (before.isPresent() && before.get().outcome() == Outcome.SUCCEEDED) {
      JobJournal.Entry e = before.get();
      LOG.info("job={} lease={} device={} already sent under lease {} (journal): not sending again", offer.jobId(), offer.fencingToken(), deviceId, e.fencingToken());
      return new Result(new FlowResult(Outcome.SUCCEEDED, null, null, null, Map.of()),
          "agent journal: sent under lease " + e.fencingToken() + " on device " + e.deviceId() + " at " + e.endedAt() + "; not sent again", null);
    }
    Session s;
    try {
      s = device.open();
    } catch (DeviceFault f) {
      return new Result(new FlowResult(Outcome.FAILED, f.step, f.getMessage(), null, Map.of()), null, FailureKind.DEVICE);
    }
    FlowInterpreter interpreter = s.interpreter();
    // Pop-ups a person would dismiss first; if that fails, the job's own steps will say why.
    interpreter.scripts().flow(ActionName.PREPARE).ifPresent(p -> interpreter.run(p, Map.of(), s.driver()));
    FlowResult result = null;
    String evidence = null;
    Long since = verifySince(offer, before);
    if (since != null) {
      Optional<Result> settled = verifyFirst(offer, since, s);
      if (settled.isPresent()) {
        result = settled.get().flow();
        evidence = settled.get().evidence();
      }
    }
    if (result == null) {
      Optional<Flow> flow = interpreter.scripts().flow(offer.action());
      result = flow.isEmpty()
          ? new FlowResult(Outcome.FAILED, null, "script set " + interpreter.scripts().version() + " has no flow for " + offer.action(), null, Map.of())
          : interpreter.run(flow.get(), offer.params(), s.driver());
    }
    if (result.outcome() != Outcome.SUCCEEDED && result.riskSignal() == null && s.driver().alive()) {
      result = explain(result, s);
    }
    return new Result(result, evidence, failureKind(result));
  }

  /**
   * Since when to look for the message before sending, or null to send at once. The controller
   * asks for it when an attempt may have sent; the journal asks for it when this agent started
   * the job before and did not see it fail before sending (it died mid-job, or the end was unknown).
   */
  static Long verifySince(ControllerJobOffer offer, Optional<JobJournal.Entry> before) {
    Long since = offer.verifySinceMillis();
    if (before.isPresent() && before.get().outcome() != Outcome.FAILED && before.get().outcome() != Outcome.SUCCEEDED) {
      // A minute of slack for the client's clock against this machine's.
      long fromJournal = before.get().startedAt().minusSeconds(60).toEpochMilli();
      since = since == null ? fromJournal : Math.min(since, fromJournal);
    }
    return since;
  }

  /** What a failure landed on: the group or customer (not found), the content (refused), the account (risk), or the device. */
  static FailureKind failureKind(FlowResult r) {
    if (r.outcome() == Outcome.SUCCEEDED) {
      return null;
    }
    if (AgentJobReport.TARGET_MISSING.equals(r.riskSignal())) {
      return FailureKind.TARGET;
    }
    if (AgentJobReport.TARGET_GONE.equals(r.riskSignal())) {
      return FailureKind.GONE;
    }
    if (AgentJobReport.CONTENT_REFUSED.equals(r.riskSignal())) {
      return FailureKind.CONTENT;
    }
    return r.riskSignal() != null ? FailureKind.ACCOUNT : FailureKind.DEVICE;
  }

  /**
   * An earlier attempt may have sent: look for the message first. Settled as SUCCEEDED with
   * evidence if it is there, as UNKNOWN if the script set cannot check this action (never a blind
   * resend); empty means not found, go on and send.
   */
  private Optional<Result> verifyFirst(ControllerJobOffer offer, long since, Session s) {
    FlowInterpreter interpreter = s.interpreter();
    Optional<Flow> verify = interpreter.scripts().flow(ActionName.verifyOf(offer.action()));
    if (verify.isEmpty()) {
      return Optional.of(new Result(new FlowResult(Outcome.UNKNOWN, null, "an earlier attempt may have sent and script set "
          + interpreter.scripts().version() + " has no " + ActionName.verifyOf(offer.action()) + " flow: needs a person", null, Map.of()), null, null));
    }
    Map<String, String> params = new HashMap<>(offer.params());
    params.put("since_ms", String.valueOf(since));
    FlowResult found = interpreter.run(verify.get(), params, s.driver());
    if (found.outcome() == Outcome.SUCCEEDED) {
      LOG.info("job={} device={} found its message already in the chat: not sending again", offer.jobId(), deviceId);
      return Optional.of(new Result(new FlowResult(Outcome.SUCCEEDED, null, null, null, Map.of()),
          "verified before resend: the message is in the chat (received since " + Instant.ofEpochMilli(since) + ")", null));
    }
    LOG.info("job={} device={} did not find its message ({}): sending", offer.jobId(), deviceId, found.error());
    return Optional.empty();
  }

  /** After a failure, looks at the screen for a risk state (the script set's detect_risk flow). */
  private FlowResult explain(FlowResult failed, Session s) {
    Optional<Flow> detect = s.interpreter().scripts().flow(ActionName.DETECT_RISK);
    if (detect.isEmpty()) {
      return failed;
    }
    FlowResult seen = s.interpreter().run(detect.get(), Map.of(), s.driver());
    if (seen.riskSignal() == null) {
      return failed;
    }
    LOG.warn("device={} shows a risk state: {}", deviceId, seen.riskSignal());
    return failed.explainedBy(seen);
  }
}
