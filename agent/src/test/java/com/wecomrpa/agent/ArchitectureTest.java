package com.wecomrpa.agent;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/** The agent's shape, checked: its packages depend on each other in one direction. */
class ArchitectureTest {
  private static final String ROOT = "com.wecomrpa.agent";

  @Test
  void packagesDependOnEachOtherInOneDirection() {
    JavaClasses classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    slices().assignedFrom(new SliceAssignment() {
      @Override
      public SliceIdentifier getIdentifierOf(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals(ROOT)) {
          return SliceIdentifier.of("(agent)");
        }
        if (!p.startsWith(ROOT + ".")) {
          return SliceIdentifier.ignore();
        }
        String rest = p.substring(ROOT.length() + 1);
        return SliceIdentifier.of(rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest);
      }

      @Override
      public String getDescription() {
        return "the agent's packages";
      }
    }).should().beFreeOfCycles().check(classes);
  }
}
