package com.wecomrpa.controller;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The controller's shape, checked: packages in one direction, HTTP apart from SQL, one owner for jobs. */
class ArchitectureTest {
  private static final String ROOT = "com.wecomrpa.controller";
  private static final JavaClasses CLASSES =
      new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

  /** Each package directly under the root is a slice; the root's own classes (the wiring) are one too. */
  private static final SliceAssignment PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String p = c.getPackageName();
      if (p.equals(ROOT)) {
        return SliceIdentifier.of("(wiring)");
      }
      if (!p.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = p.substring(ROOT.length() + 1);
      int dot = rest.indexOf('.');
      return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
    }

    @Override
    public String getDescription() {
      return "the controller's packages";
    }
  };

  @Test
  void packagesDependOnEachOtherInOneDirection() {
    slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void theHttpLayerRunsNoSql() {
    noClasses().that().resideInAPackage(ROOT + ".api..").should().dependOnClassesThat().resideInAPackage("java.sql..")
        .because("reads live in the *Queries of the package that owns the tables").check(CLASSES);
  }

  @Test
  void onlyTheJobPackageWritesJobs() throws IOException {
    Pattern write = Pattern.compile("(?i)(UPDATE\\s+jobs\\b|INSERT\\s+INTO\\s+jobs\\b|DELETE\\s+FROM\\s+jobs\\b)");
    Path src = Path.of("src/main/java/com/wecomrpa/controller");
    Path owner = src.resolve("job");
    List<String> writers;
    try (Stream<Path> files = Files.walk(src)) {
      writers = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(owner))
          .filter(f -> {
            try {
              return write.matcher(Files.readString(f)).find();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .map(f -> src.relativize(f).toString())
          .toList();
    }
    assertThat(writers).as("classes outside job that write the jobs table").isEmpty();
  }
}
