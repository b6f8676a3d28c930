package org.ucp.model;

/**
 * The accepted result of a job.
 *
 * @param name the data name of the result zip ({@code <jobId>/result})
 * @param exitCode the program's exit code, or null when it could not run to an exit
 * @param sha256 hex SHA-256 of the zip
 */
public record JobResult(String name, Integer exitCode, String sha256, int attempt, String executor) {}
