package com.wecomrpa.script;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a script set folder: {@code script-set.yaml}, {@code locators.yaml} and {@code
 * flows/*.yaml}. Everything is checked at load (unknown keys, unknown locators, undefined
 * variables, bad timeouts), so a broken script is refused with its line before it reaches a device.
 */
public final class ScriptSetLoader {
  public static final Pattern VARIABLE = Pattern.compile("\\$\\{([a-z_][a-z0-9_]*)}");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> STEP_OPTIONS = Set.of("name", "text", "clear-first", "into", "timeout", "commits", "unsent", "then", "direction", "scrolls", "last", "fields");

  private ScriptSetLoader() {}

  public static ScriptSet load(Path dir) {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".yaml")).toList()) {
        files.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read script set " + dir, e);
    }
    return parse(files);
  }

  /** Parses a script set given as file name → content (as uploaded, or read from a folder). */
  public static ScriptSet parse(Map<String, String> files) {
    MappingNode head = mapping("script-set.yaml", root(files, "script-set.yaml"));
    Map<String, Node> headKeys = keys("script-set.yaml", head, Set.of("client", "version", "supports", "tried"));
    String client = scalar("script-set.yaml", need("script-set.yaml", head, headKeys, "client"));
    String version = scalar("script-set.yaml", need("script-set.yaml", head, headKeys, "version"));
    List<String> supports = scalars("script-set.yaml", need("script-set.yaml", head, headKeys, "supports"));
    String tried = headKeys.containsKey("tried") ? scalar("script-set.yaml", headKeys.get("tried")) : null;

    Map<String, List<Locator>> locators = locators(root(files, "locators.yaml"));
    Map<String, Flow> flows = new LinkedHashMap<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      if (f.getKey().startsWith("flows/")) {
        Flow flow = flow(f.getKey(), compose(f.getKey(), f.getValue()), locators);
        if (flows.put(flow.action(), flow) != null) {
          throw new ScriptError(f.getKey(), 1, "action " + flow.action() + " is defined twice");
        }
      }
    }
    if (flows.isEmpty()) {
      throw new ScriptError("flows/", 0, "a script set needs at least one flow under flows/");
    }
    return new ScriptSet(client, version, supports, tried, locators, flows);
  }

  private static Node root(Map<String, String> files, String name) {
    String text = files.get(name);
    if (text == null) {
      throw new ScriptError(name, 0, "file is missing");
    }
    return compose(name, text);
  }

  private static Node compose(String file, String text) {
    try {
      Node n = new Yaml(new LoaderOptions()).compose(new StringReader(text));
      if (n == null) {
        throw new ScriptError(file, 1, "file is empty");
      }
      return n;
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new ScriptError(file, line, "not valid YAML: " + e.getProblem());
    }
  }

  private static Map<String, List<Locator>> locators(Node root) {
    String file = "locators.yaml";
    Map<String, List<Locator>> out = new LinkedHashMap<>();
    for (NodeTuple t : mapping(file, root).getValue()) {
      String name = scalar(file, t.getKeyNode());
      if (!(t.getValueNode() instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
        throw new ScriptError(file, line(t.getValueNode()), "locator " + name + " needs a list of one or more ways to find it");
      }
      List<Locator> ways = new ArrayList<>();
      for (Node way : seq.getValue()) {
        MappingNode m = mapping(file, way);
        if (m.getValue().size() != 1) {
          throw new ScriptError(file, line(way), "each way to find " + name + " is one of css, xpath, id, accessibility-id, text");
        }
        String key = scalar(file, m.getValue().get(0).getKeyNode());
        Locator.Strategy s = Locator.Strategy.fromKey(key);
        if (s == null) {
          throw new ScriptError(file, line(way), "unknown locator strategy '" + key + "'; use css, xpath, id, accessibility-id or text");
        }
        ways.add(new Locator(s, scalar(file, m.getValue().get(0).getValueNode())));
      }
      out.put(name, List.copyOf(ways));
    }
    return out;
  }

  private static Flow flow(String file, Node root, Map<String, List<Locator>> locators) {
    MappingNode m = mapping(file, root);
    Map<String, Node> k = keys(file, m, Set.of("action", "params", "steps"));
    String action = scalar(file, need(file, m, k, "action"));
    List<String> params = k.containsKey("params") ? scalars(file, k.get("params")) : List.of();
    List<String> known = new ArrayList<>(params);
    List<Step> steps = steps(file, need(file, m, k, "steps"), locators, known);
    return new Flow(action, params, steps, file);
  }

  private static List<Step> steps(String file, Node node, Map<String, List<Locator>> locators, List<String> known) {
    if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      throw new ScriptError(file, line(node), "steps must be a non-empty list");
    }
    List<Step> out = new ArrayList<>();
    for (Node s : seq.getValue()) {
      out.add(step(file, s, locators, known));
    }
    return out;
  }

  private static Step step(String file, Node node, Map<String, List<Locator>> locators, List<String> known) {
    MappingNode m = mapping(file, node);
    Step.Kind kind = null;
    Node kindValue = null;
    Map<String, Node> options = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String key = scalar(file, t.getKeyNode());
      Step.Kind k = Step.Kind.fromKey(key);
      if (k != null) {
        if (kind != null) {
          throw new ScriptError(file, line(t.getKeyNode()), "a step does one thing; found both " + kind.key() + " and " + key);
        }
        kind = k;
        kindValue = t.getValueNode();
      } else if (STEP_OPTIONS.contains(key)) {
        options.put(key, t.getValueNode());
      } else {
        throw new ScriptError(file, line(t.getKeyNode()), "unknown step key '" + key + "'");
      }
    }
    if (kind == null) {
      throw new ScriptError(file, line(node), "step has no action; use one of open, tap, type, clear, wait-for, assert-visible, read-text, read-list, if-present, if-absent, scroll-until, back, screenshot, signal");
    }
    String name = options.containsKey("name") ? scalar(file, options.get("name")) : kind.key() + "@" + line(node);
    String target = null;
    String text = options.containsKey("text") ? scalar(file, options.get("text")) : null;
    if (kind == Step.Kind.OPEN || kind == Step.Kind.SIGNAL) {
      text = scalar(file, kindValue);
    } else if (kind == Step.Kind.BACK || kind == Step.Kind.SCREENSHOT) {
      if (!(kindValue instanceof ScalarNode sn) || !sn.getValue().isEmpty()) {
        throw new ScriptError(file, line(kindValue), kind.key() + " takes no value; write '- " + kind.key() + ":'");
      }
    } else {
      target = scalar(file, kindValue);
      if (!locators.containsKey(target)) {
        throw new ScriptError(file, line(kindValue), "unknown locator '" + target + "' (not in locators.yaml)");
      }
      for (Locator l : locators.get(target)) {
        checkVariables(file, line(kindValue), l.value(), known);
      }
    }
    if (kind == Step.Kind.TYPE && text == null) {
      throw new ScriptError(file, line(node), "type needs text");
    }
    if (text != null) {
      checkVariables(file, line(node), text, known);
    }
    String into = options.containsKey("into") ? scalar(file, options.get("into")) : null;
    boolean reads = kind == Step.Kind.READ_TEXT || kind == Step.Kind.READ_LIST;
    if (into != null && !reads) {
      throw new ScriptError(file, line(options.get("into")), "into belongs to read-text and read-list");
    }
    if (reads) {
      if (into == null) {
        throw new ScriptError(file, line(node), kind.key() + " needs into: a variable name");
      }
      known.add(into);
    }
    String last = options.containsKey("last") ? scalar(file, options.get("last")) : null;
    if (last != null) {
      if (kind != Step.Kind.READ_LIST) {
        throw new ScriptError(file, line(options.get("last")), "last belongs to read-list");
      }
      checkVariables(file, line(options.get("last")), last, known);
      if (!VARIABLE.matcher(last).find() && !last.matches("[1-9][0-9]{0,3}")) {
        throw new ScriptError(file, line(options.get("last")), "last must be a count from 1 to 9999 or a ${variable}, found '" + last + "'");
      }
    }
    java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
    if (options.containsKey("fields")) {
      if (kind != Step.Kind.READ_LIST) {
        throw new ScriptError(file, line(options.get("fields")), "fields belong to read-list");
      }
      MappingNode fm = mapping(file, options.get("fields"));
      for (NodeTuple t : fm.getValue()) {
        String key = scalar(file, t.getKeyNode());
        String spec = scalar(file, t.getValueNode());
        if (!Step.validField(spec)) {
          throw new ScriptError(file, line(t.getValueNode()), "field " + key + " must be text, @attribute or css:SELECTOR, found '" + spec + "'");
        }
        fields.put(key, spec);
      }
      if (fields.isEmpty()) {
        throw new ScriptError(file, line(options.get("fields")), "fields must name at least one field");
      }
    }
    Step.Direction direction = Step.Direction.DOWN;
    int scrolls = 10;
    if (options.containsKey("direction") || options.containsKey("scrolls")) {
      Node at = options.containsKey("direction") ? options.get("direction") : options.get("scrolls");
      if (kind != Step.Kind.SCROLL_UNTIL) {
        throw new ScriptError(file, line(at), "direction and scrolls belong to scroll-until");
      }
      if (options.containsKey("direction")) {
        String d = scalar(file, options.get("direction"));
        if (!d.equals("up") && !d.equals("down")) {
          throw new ScriptError(file, line(options.get("direction")), "direction must be up or down, found '" + d + "'");
        }
        direction = Step.Direction.valueOf(d.toUpperCase(java.util.Locale.ROOT));
      }
      if (options.containsKey("scrolls")) {
        String n = scalar(file, options.get("scrolls"));
        if (!n.matches("[1-9][0-9]?")) {
          throw new ScriptError(file, line(options.get("scrolls")), "scrolls must be a count from 1 to 99, found '" + n + "'");
        }
        scrolls = Integer.parseInt(n);
      }
    }
    Duration timeout = options.containsKey("timeout") ? duration(file, options.get("timeout")) : DEFAULT_TIMEOUT;
    List<Step> then = List.of();
    if (options.containsKey("then")) {
      if (kind != Step.Kind.IF_PRESENT && kind != Step.Kind.IF_ABSENT) {
        throw new ScriptError(file, line(options.get("then")), "then belongs to if-present and if-absent");
      }
      then = steps(file, options.get("then"), locators, known);
    }
    boolean clear = options.containsKey("clear-first") && bool(file, options.get("clear-first"));
    boolean commits = options.containsKey("commits") && bool(file, options.get("commits"));
    boolean unsent = options.containsKey("unsent") && bool(file, options.get("unsent"));
    if (unsent && kind != Step.Kind.SIGNAL) {
      throw new ScriptError(file, line(options.get("unsent")), "unsent belongs to signal");
    }
    return new Step(name, kind, target, text, clear, into, timeout, commits, unsent, then, direction, scrolls, last, java.util.Map.copyOf(fields), line(node));
  }

  private static void checkVariables(String file, int line, String text, List<String> known) {
    Matcher m = VARIABLE.matcher(text);
    while (m.find()) {
      if (!known.contains(m.group(1))) {
        throw new ScriptError(file, line, "variable ${" + m.group(1) + "} is not a param of this flow nor read earlier");
      }
    }
  }

  private static Duration duration(String file, Node node) {
    String v = scalar(file, node).trim();
    Matcher m = Pattern.compile("(\\d+)(ms|s)").matcher(v);
    if (!m.matches()) {
      throw new ScriptError(file, line(node), "timeout '" + v + "' must look like 500ms or 5s");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = m.group(2).equals("ms") ? Duration.ofMillis(n) : Duration.ofSeconds(n);
    if (d.isZero() || d.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new ScriptError(file, line(node), "timeout must be between 1ms and 5 minutes");
    }
    return d;
  }

  private static boolean bool(String file, Node node) {
    String v = scalar(file, node);
    if (!v.equals("true") && !v.equals("false")) {
      throw new ScriptError(file, line(node), "expected true or false, found '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  private static Map<String, Node> keys(String file, MappingNode m, Set<String> allowed) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      String key = scalar(file, t.getKeyNode());
      if (!allowed.contains(key)) {
        throw new ScriptError(file, line(t.getKeyNode()), "unknown key '" + key + "'; expected one of " + new java.util.TreeSet<>(allowed));
      }
      out.put(key, t.getValueNode());
    }
    return out;
  }

  private static Node need(String file, MappingNode m, Map<String, Node> keys, String key) {
    Node n = keys.get(key);
    if (n == null) {
      throw new ScriptError(file, line(m), "missing key '" + key + "'");
    }
    return n;
  }

  private static MappingNode mapping(String file, Node n) {
    if (n instanceof MappingNode m) {
      return m;
    }
    throw new ScriptError(file, line(n), "expected a mapping (key: value)");
  }

  private static String scalar(String file, Node n) {
    if (n instanceof ScalarNode s && !s.getValue().isEmpty()) {
      return s.getValue();
    }
    throw new ScriptError(file, line(n), "expected a non-empty value");
  }

  private static List<String> scalars(String file, Node n) {
    if (!(n instanceof SequenceNode seq)) {
      throw new ScriptError(file, line(n), "expected a list");
    }
    List<String> out = new ArrayList<>();
    for (Node item : seq.getValue()) {
      out.add(scalar(file, item));
    }
    return out;
  }

  private static int line(Node n) {
    return n.getStartMark().getLine() + 1;
  }
}
