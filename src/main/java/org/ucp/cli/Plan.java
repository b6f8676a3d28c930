package org.ucp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ucp.model.JobSpec;

/**
 * An execution plan: named data to upload from files, and jobs that refer to each other by name.
 *
 * @param file the plan file; data paths are relative to its folder
 * @param data data name to local file, in plan order
 * @param jobs jobs in an order where every job comes after the jobs it depends on (by
 *     {@code dependsOn} or by reading their named results)
 */
record Plan(Path file, Map<String, Path> data, List<Job> jobs) {

  /**
   * One job of a plan.
   *
   * @param name its name within the plan
   * @param spec the job JSON of the README without {@code name} and {@code dependsOn}
   * @param parsed the same, validated
   * @param dependsOn names of the plan's jobs that must finish first
   * @param line where the job starts in the plan file
   */
  record Job(String name, ObjectNode spec, JobSpec parsed, List<String> dependsOn, int line) {}
}
