package com.wecomrpa.controller.sop;

import com.wecomrpa.controller.input.Rejected;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which groups a plan targets, by their tags. Terms joined by {@code &} must all match; a term is a
 * tag, with {@code *} matching any run of characters: {@code store:*}, {@code region=east & vip}.
 */
public final class TagSelector {
  private static final Pattern TERM = Pattern.compile("[\\p{L}\\p{N}_.:=*-]+");

  private final String text;
  private final List<Pattern> terms;

  private TagSelector(String text, List<Pattern> terms) {
    this.text = text;
    this.terms = terms;
  }

  public static TagSelector parse(String field, String text) {
    if (text == null || text.isBlank()) {
      throw Rejected.invalid(field, field + " must not be empty");
    }
    List<Pattern> terms = new ArrayList<>();
    String[] parts = text.split("&", -1);
    for (int i = 0; i < parts.length; i++) {
      String term = parts[i].trim();
      if (term.isEmpty()) {
        throw Rejected.invalid(field, field + ": empty term " + (i + 1) + " in '" + text + "' (terms are joined by &)");
      }
      if (!TERM.matcher(term).matches()) {
        throw Rejected.invalid(field, field + ": '" + term + "' is not a tag pattern (letters, digits, _ . : = - and * only)");
      }
      if (term.chars().allMatch(c -> c == '*')) {
        throw Rejected.invalid(field, field + ": '" + term + "' would match every group; name a tag");
      }
      terms.add(Pattern.compile(Pattern.quote(term).replace("*", "\\E.*\\Q")));
    }
    return new TagSelector(text.trim(), List.copyOf(terms));
  }

  public boolean matches(Collection<String> tags) {
    return terms.stream().allMatch(t -> tags.stream().anyMatch(tag -> t.matcher(tag).matches()));
  }

  @Override
  public String toString() {
    return text;
  }
}
