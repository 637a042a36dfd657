package com.wecomrpa.controller.job;

import com.wecomrpa.protocol.ControllerJobOffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A controller's store in its own JVM for {@link StoreCrashTest}: grants one lease after another
 * and prints each once it is acknowledged (committed and forced to disk), until it is killed.
 */
public final class LeaseGrantingProcess {
  public static void main(String[] args) throws Exception {
    StoreFixture store = new StoreFixture(Path.of(args[0])).seed(Integer.parseInt(args[1]));
    System.out.println("epoch " + store.tokens.epoch());
    while (true) {
      Instant now = Instant.now();
      Optional<ControllerJobOffer> offer = store.jobs.claims().claimNext("agent-1", "dev-1", "acc-1", now, now, Duration.ofMinutes(10), 3);
      if (offer.isEmpty()) {
        System.out.println("done");
        Thread.sleep(60_000);
        return;
      }
      // As the controller does before an offer leaves: the lease is forced to disk first.
      store.db.forceToDisk();
      System.out.println("leased " + offer.get().jobId() + " " + offer.get().fencingToken());
      System.out.flush();
    }
  }
}
