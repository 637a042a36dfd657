package com.wecomrpa.agent.flow;

import com.wecomrpa.protocol.ControllerScriptBundle;
import com.wecomrpa.script.ScriptError;
import com.wecomrpa.script.ScriptSet;
import com.wecomrpa.script.ScriptSetLoader;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * The script sets an agent can run: its own (read from disk at start, one per client kind) and the
 * versions the controller serves, fetched once when a job first asks for them and kept.
 */
public final class ScriptLibrary {
  private final Map<String, ScriptSet> local;
  private final BiFunction<String, String, CompletableFuture<ControllerScriptBundle>> fetch;
  private final Duration fetchTimeout;
  private final Map<String, ScriptSet> fetched = new ConcurrentHashMap<>();

  public ScriptLibrary(Map<String, ScriptSet> local, BiFunction<String, String, CompletableFuture<ControllerScriptBundle>> fetch, Duration fetchTimeout) {
    this.local = Map.copyOf(local);
    this.fetch = fetch;
    this.fetchTimeout = fetchTimeout;
  }

  /** The agent's own set for a client kind, if it has one. */
  public Optional<ScriptSet> local(String client) {
    return Optional.ofNullable(local.get(client));
  }

  /**
   * The set to run a job with: {@code version} null means the agent's own. Blocks while fetching
   * (called on a device thread, between jobs). Throws with the reason if it cannot be had.
   */
  public ScriptSet resolve(String client, String version) {
    if (version == null) {
      return local(client).orElseThrow(() -> new IllegalStateException("this agent has no script set of its own for " + client));
    }
    ScriptSet own = local.get(client);
    if (own != null && own.version().equals(version)) {
      return own;
    }
    ScriptSet have = fetched.get(client + "@" + version);
    if (have != null) {
      return have;
    }
    ControllerScriptBundle bundle;
    try {
      bundle = fetch.apply(client, version).get(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("script set " + client + "@" + version + " not received within " + fetchTimeout.toSeconds() + "s");
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot fetch script set " + client + "@" + version + ": " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fetching script set " + client + "@" + version);
    }
    if (bundle.error() != null) {
      throw new IllegalStateException(bundle.error());
    }
    ScriptSet set;
    try {
      set = ScriptSetLoader.parse(bundle.files());
    } catch (ScriptError e) {
      throw new IllegalStateException("script set " + client + "@" + version + " from the controller does not parse: " + e.getMessage());
    }
    if (!set.client().equals(client) || !set.version().equals(version)) {
      throw new IllegalStateException("asked for " + client + "@" + version + ", received " + set.client() + "@" + set.version());
    }
    fetched.put(client + "@" + version, set);
    return set;
  }
}
