package com.wecomrpa.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A command's options from a file ({@code --config FILE}), one {@code name = value} a line, named as
 * on the command line without the dashes ({@code port = 8080}; a repeatable option such as
 * {@code device} on several lines); {@code #} starts a comment. An option given on the command line
 * wins over the file's. Secrets never go in it: a {@code token}, {@code password} or {@code secret}
 * is given by file (their {@code -file} options) or the environment. A name the command does not
 * take is refused with its line, before anything starts.
 */
final class ConfigFile {
  private static final Pattern SECRET = Pattern.compile(".*(token|password|secret)$");

  private ConfigFile() {}

  /** The arguments without {@code --config FILE}, and the file (null when none). */
  record Split(String[] args, Path file) {}

  static Split split(String[] args) {
    List<String> rest = new ArrayList<>();
    Path file = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        file = Path.of(args[++i]);
      } else if (args[i].startsWith("--config=")) {
        file = Path.of(args[i].substring("--config=".length()));
      } else {
        rest.add(args[i]);
      }
    }
    return new Split(rest.toArray(String[]::new), file);
  }

  /**
   * The arguments with the file's options put in after the command's name, each one the command
   * line does not give already.
   */
  static String[] merge(Path file, CommandLine root, String[] args) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("--config " + file + ": cannot read it (" + e.getMessage() + ")");
    }
    CommandLine command = root;
    int at = 0;
    while (at < args.length && !args[at].startsWith("-") && command.getSubcommands().containsKey(args[at])) {
      command = command.getSubcommands().get(args[at]);
      at++;
    }
    Set<String> known = new java.util.TreeSet<>();
    for (OptionSpec o : command.getCommandSpec().options()) {
      known.add(o.longestName().replaceFirst("^-+", ""));
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int n = 0; n < lines.size(); n++) {
      String line = lines.get(n).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String where = "--config " + file + " line " + (n + 1);
      if (eq <= 0) {
        throw new IllegalArgumentException(where + ": '" + line + "' is not name = value");
      }
      String name = line.substring(0, eq).strip().replaceFirst("^-+", "");
      String value = line.substring(eq + 1).strip();
      if (SECRET.matcher(name).matches()) {
        String instead = known.contains(name + "-file") ? "--" + name + "-file" : "the environment (see --help)";
        throw new IllegalArgumentException(where + ": " + name + " is a secret: give it by " + instead + ", not in a config file");
      }
      if (!known.contains(name)) {
        throw new IllegalArgumentException(where + ": " + command.getCommandName() + " has no option --" + name);
      }
      values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    List<String> out = new ArrayList<>(List.of(args).subList(0, at));
    List<String> given = List.of(args).subList(at, args.length);
    values.forEach((name, vs) -> {
      boolean onCommandLine = given.stream().anyMatch(a -> a.equals("--" + name) || a.startsWith("--" + name + "="));
      if (!onCommandLine) {
        vs.forEach(v -> out.add("--" + name + "=" + v));
      }
    });
    out.addAll(given);
    return out.toArray(String[]::new);
  }
}
