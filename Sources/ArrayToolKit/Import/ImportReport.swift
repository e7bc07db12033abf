// The final statement of an import, for a person (text) and for a program (JSON).

import Foundation

/// Renders an `ImportResult`.
public enum ImportReport {
  /// The text report, a line per fact, failures named one per line.
  public static func text(_ result: ImportResult, landed: LandedResult? = nil) -> String {
    let grouped = InspectReport.grouped
    var lines = ["import: \(verdict(result, landed: landed))"]
    func add(_ label: String, _ value: String) {
      lines.append("  " + (label + ":").padding(toLength: 13, withPad: " ", startingAt: 0) + value)
    }
    let processed = result.filesOK + result.filesFailed + result.filesSpooled + result.filesSkipped
      + result.filesDuplicate + result.filesInterrupted
    var files = "\(processed)/\(result.filesTotal) "
      + "processed, \(result.filesOK) imported, \(result.filesFailed) failed"
    if result.filesSpooled > 0 { files += ", \(result.filesSpooled) with batches spooled" }
    if result.filesSkipped > 0 { files += ", \(result.filesSkipped) imported before (journal)" }
    if result.filesDuplicate > 0 {
      files += ", \(result.filesDuplicate) duplicate\(result.filesDuplicate == 1 ? "" : "s") "
        + "of other inputs (not sent)"
    }
    if result.filesInterrupted > 0 { files += ", \(result.filesInterrupted) interrupted" }
    add("files", files)
    // "0 sent in 280 series" reads as if the series had been sent.
    let series = "\(grouped(result.series)) series"
    add("samples", "\(grouped(result.samplesSent)) sent"
      + (result.samplesSent > 0 ? " in \(series)" : "")
      + (result.samplesFailed > 0 ? ", \(grouped(result.samplesFailed)) not delivered" : "")
      + (result.samplesSpooled > 0 ? ", \(grouped(result.samplesSpooled)) spooled" : "")
      + (result.samplesSentBefore > 0
        ? ", \(grouped(result.samplesSentBefore)) sent before (journal)" : "")
      + (result.samplesSent == 0 && result.series > 0 ? "; the inputs hold \(series)" : ""))
    add("batches", "\(result.batchesSent) sent, \(result.batchesRetried) retried, "
      + "\(result.batchesFailed) failed" + (result.batchesSpooled > 0 ? ", \(result.batchesSpooled) spooled" : "")
      + (result.batchesFoundStored > 0
        ? ", \(result.batchesFoundStored) found stored after a cut-off request (not sent again)"
        : "")
      + (result.batchesRestSent > 0
        ? ", \(result.batchesRestSent) found stored in part after a cut-off request (the rest "
          + "sent)" : ""))
    if result.batchesByTarget.count > 1 || result.batchesByTarget.keys.contains(where: { !result.targets.contains($0 + "/api/v1/import") }) {
      let spread = result.batchesByTarget.sorted { $0.key < $1.key }.map { "\($0.value) to \($0.key)" }
      add("delivered", spread.joined(separator: ", "))
    }
    add("arrays", result.serials.isEmpty ? "none" : result.serials.joined(separator: ", "))
    if let first = result.firstTimestamp, let last = result.lastTimestamp {
      add("time range", "\(InspectReport.utc(first)) to \(InspectReport.utc(last)) UTC")
    }
    add("elapsed", String(format: "%.2f s, %@ samples/s", result.seconds,
                          grouped(Int(result.throughput.rounded()))))
    add("target", result.targets.joined(separator: ", "))
    if !result.duplicates.isEmpty {
      lines.append("  duplicates:")
      for duplicate in result.duplicates {
        lines.append("    \(duplicate.path): " + duplicateReason(duplicate))
      }
    }
    for warning in result.warnings { lines.append("  warning: \(warning)") }
    for (heading, entries) in [("failures", result.failures),
                               ("spooled for --replay", result.spooledForReplay)]
    where !entries.isEmpty {
      lines.append("  \(heading):")
      for entry in entries {
        let location = entry.member.map { "\(entry.file)!\($0)" } ?? entry.file
        lines.append("    \(location): \(entry.reason)")
      }
    }
    if let landed {
      lines += landedLines(landed)
    }
    if result.batchesSpooled > 0, let folder = result.spoolDirectory {
      lines.append("  \(grouped(result.samplesSpooled)) samples are kept in \(folder); send them with:")
      lines.append("    arraytool import --replay \(folder)\(result.replayOptions)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The outcome in one line: the headline of the text report, `verdict` of the JSON one.
  static func verdict(_ result: ImportResult, landed: LandedResult?) -> String {
    if result.interrupted {
      // After a second interrupt batches wait in the spool: continuing does not send them.
      guard result.batchesSpooled > 0 || result.samplesWaiting > 0 else {
        return "interrupted; run the same command again to continue"
      }
      let folder = result.spoolDirectory ?? "DIR"
      return "interrupted with batches spooled; run the same command again to continue, and "
        + "'arraytool import --replay \(folder)\(result.replayOptions)' to send the spooled batches"
    }
    if !result.allDelivered { return "NOT everything was delivered" }
    // With nothing sent (all of it sent before), no server accepted anything this time.
    let accepted = result.batchesSent > 0 ? "the server accepted every batch" : "nothing was sent"
    if let landed, landed.error != nil {
      return "\(accepted), but the landed check could not be done"
    }
    if let landed, !landed.passed {
      return "\(accepted), but the landed check did NOT pass"
    }
    if landed == nil, let acceptor = result.acceptedOnlyBy {
      return "all samples accepted by \(acceptor), but neither retention nor landing was "
        + "checked in VictoriaMetrics (give --query-url)"
    }
    return "all samples delivered"
  }

  /// Why a duplicate input was left out, in words; `done` is what became of the first
  /// (`sent`, `written`), or with `would` what import would do with it (`imported`), as a
  /// command that sends nothing says it.
  static func duplicateReason(
    _ duplicate: DuplicateInput, done: String = "sent", would: Bool = false
  ) -> String {
    let files = "\(duplicate.files) file\(duplicate.files == 1 ? "" : "s")"
    if duplicate.byName {
      return "the same performance file (array, controller and time in its name) as "
        + "\(duplicate.sameAs); \(would ? "it would be " : "")\(done) once, from there"
    }
    let were = would ? "would be" : duplicate.files == 1 ? "was" : "were"
    if duplicate.path == duplicate.sameAs {
      return "given more than once; its \(files) \(were) \(done) once"
    }
    return "the same content (SHA-256) as \(duplicate.sameAs); its \(files) \(were) \(done) "
      + "once, from \(duplicate.sameAs)"
  }

  /// What the landed check found, as report lines.
  static func landedLines(_ landed: LandedResult) -> [String] {
    let grouped = InspectReport.grouped
    let seconds = String(format: landed.seconds < 1 ? "%.2f s" : "%.1f s", landed.seconds)
    if landed.passed {
      return ["  landed:      all \(grouped(landed.expectedSamples)) samples landed in "
        + "\(grouped(landed.expectedSeries)) series (counted through \(landed.queryURL); the "
        + "check took \(seconds))"]
    }
    if let error = landed.error {
      return ["  landed:      NOT CHECKED: \(error)"]
    }
    var lines = ["  landed:      CHECK FAILED: \(grouped(landed.foundSamples)) of "
      + "\(grouped(landed.expectedSamples)) samples found; "
      + "\(grouped(landed.differences.count)) series differ:"]
    if landed.differences.contains(where: { $0.found > $0.sent }) {
      lines.append("    more samples than were sent: they were imported more than once (an earlier "
        + "import, perhaps through another URL, since the journal that skips what was sent is "
        + "kept per target: straight to VictoriaMetrics and through vmagent are two; --force; or "
        + "a retried request); VictoriaMetrics keeps duplicates unless it runs with "
        + "-dedup.minScrapeInterval")
    }
    let nothingFoundThroughAgent = landed.foundSamples == 0 && landed.throughAgent
    if nothingFoundThroughAgent {
      lines.append("    nothing of the import was found in \(landed.queryURL): if that is not the "
        + "VictoriaMetrics vmagent writes to (its -remoteWrite.url), the samples may be stored "
        + "there; give that one as --query-url before importing anything again")
    }
    // Advice to import again would store everything twice where the samples did land.
    if !nothingFoundThroughAgent, landed.differences.contains(where: { $0.found < $0.sent }) {
      lines.append("    samples are missing: see the log of the server that took them (and, through "
        + "vmagent, its /metrics for dropped data), then import again with --force after removing "
        + "the series, or into a fresh database")
    }
    if landed.differences.contains(where: \.otherTimestamps) {
      lines.append("    as many samples as were sent, but not at the times sent: some were stored "
        + "twice and as many lost, or something on the way rewrote their times (vmagent's stream "
        + "aggregation or relabelling, a proxy); import again with --force after removing the "
        + "series, or into a fresh database")
    }
    for difference in landed.differences.prefix(20) {
      let times = difference.otherTimestamps ? ", at other timestamps" : ""
      lines.append(
        "    \(difference.series): sent \(difference.sent), found \(difference.found)\(times)")
    }
    if landed.differences.count > 20 {
      lines.append("    … and \(landed.differences.count - 20) more series")
    }
    return lines
  }

  /// The preflight checklist for stderr.
  public static func checklist(_ preflight: PreflightResult, symbols: Bool) -> String {
    var lines = ["arraytool: preflight"]
    for check in preflight.checks {
      let mark: String
      switch check.status {
      case .ok: mark = symbols ? "✓" : "ok  "
      case .warning: mark = symbols ? "!" : "warn"
      case .failed: mark = symbols ? "✗" : "FAIL"
      }
      lines.append("  \(mark) \(check.name): \(check.message)")
    }
    for problem in preflight.problems.prefix(50) { lines.append("    \(problem.line)") }
    if preflight.problems.count > 50 {
      lines.append("    … and \(preflight.problems.count - 50) more problems")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A failed preflight as one JSON object.
  public static func json(preflight: PreflightResult) throws -> String {
    let object: [String: Any] = [
      "preflight": preflightObject(preflight), "all_delivered": false, "samples_sent": 0,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  static func preflightObject(_ preflight: PreflightResult) -> [String: Any] {
    [
      "passed": preflight.passed,
      "checks": preflight.checks.map {
        ["name": $0.name, "status": $0.status.rawValue, "message": $0.message]
      },
      "problems": preflight.problems.map(InspectReport.faultObject),
    ]
  }

  /// The report of a replay.
  public static func text(_ result: ReplayResult, folder: String) -> String {
    let grouped = InspectReport.grouped
    var lines = [result.interrupted ? "replay: interrupted; what was not sent stays in the spool"
                 : result.batchesTotal == 0 ? "replay: the spool holds no batch: nothing to send"
                 : result.batchesLeft > 0 ? "replay: NOT every spooled batch was delivered"
                 : result.batchesSent == result.batchesTotal ? "replay: all spooled batches delivered"
                 : "replay: the spool is empty: its batches were delivered or found held already"]
    lines.append("  batches:     \(result.batchesSent)/\(result.batchesTotal) delivered "
      + "(\(grouped(result.samplesSent)) samples), "
      + (result.batchesAlreadyAccepted > 0 ? "\(result.batchesAlreadyAccepted) already accepted, " : "")
      + "\(result.batchesLeft) left in \(folder)")
    if result.samplesAlreadyAccepted > 0 {
      lines.append("  skipped:     \(grouped(result.samplesAlreadyAccepted)) samples a target already "
        + "had on record were not sent")
    }
    for (target, batches) in result.alreadyAcceptedBy {
      lines.append("    \(batches) batch\(batches == 1 ? " was" : "es were") already accepted by "
        + "\(target): removed from the spool, not sent")
    }
    if result.batchesAlreadyStored > 0 || result.batchesRestSent > 0 {
      let whole = result.batchesAlreadyStored
      let part = result.batchesRestSent
      var found: [String] = []
      if whole > 0 {
        found.append("\(whole) batch\(whole == 1 ? "" : "es") whole (removed from the spool, "
          + "not sent)")
      }
      if part > 0 {
        found.append("\(part) batch\(part == 1 ? "" : "es") in part (only the rest sent)")
      }
      lines.append("  stored:      \(grouped(result.samplesAlreadyStored)) samples of batches cut "
        + "off after their body went out were found stored already: "
        + found.joined(separator: ", "))
    }
    if result.batchesLeft > 0 {
      let reasons = [
        (result.batchesNotDelivered, "not delivered"), (result.batchesNotTried, "not tried"),
        (result.batchesDamaged, "damaged"),
        (result.batchesTooOld, "older than the retention"),
        (result.batchesMaybeStored, "may be stored already"),
        (result.dataFilesWithoutRecord, "data file\(result.dataFilesWithoutRecord == 1 ? "" : "s") "
          + "without a record"),
      ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
      lines.append("  left:        \(result.batchesLeft) batch\(result.batchesLeft == 1 ? "" : "es") "
        + "(\(grouped(result.samplesLeft)) samples on record): \(reasons.joined(separator: ", "))")
    }
    if result.batchesResentUnfound > 0 {
      let batches = result.batchesResentUnfound
      lines.append("  warning:     \(batches) batch\(batches == 1 ? " was" : "es were") sent again "
        + "after a request was cut off after its body went out and nothing of "
        + "\(batches == 1 ? "it" : "them") was found stored: a server that stored that request "
        + "later holds \(batches == 1 ? "it" : "them") twice")
    }
    lines.append(String(format: "  elapsed:     %.2f s", result.seconds))
    for failure in result.failures { lines.append("    \(failure)") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The replay report as one JSON object.
  public static func json(_ result: ReplayResult) throws -> String {
    let object: [String: Any] = [
      "batches_total": result.batchesTotal, "batches_sent": result.batchesSent,
      "samples_sent": result.samplesSent, "batches_left": result.batchesLeft,
      "samples_left": result.samplesLeft, "failures": result.failures,
      "batches_not_delivered": result.batchesNotDelivered,
      "batches_not_tried": result.batchesNotTried, "batches_damaged": result.batchesDamaged,
      "batches_too_old": result.batchesTooOld,
      "data_files_without_record": result.dataFilesWithoutRecord,
      "interrupted": result.interrupted,
      "batches_already_accepted": result.batchesAlreadyAccepted,
      "batches_already_stored": result.batchesAlreadyStored,
      "batches_rest_sent": result.batchesRestSent,
      "batches_resent_unfound": result.batchesResentUnfound,
      "samples_already_stored": result.samplesAlreadyStored,
      "batches_may_be_stored": result.batchesMaybeStored,
      "samples_already_accepted": result.samplesAlreadyAccepted,
      "already_accepted_by": result.alreadyAcceptedBy.map {
        ["target": $0.target, "batches": $0.batches] as [String: Any]
      },
      "seconds": (result.seconds * 1000).rounded() / 1000,
    ]
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// The report as one JSON object, with the checks of the preflight that passed before it
  /// (its warnings are only on standard error otherwise).
  public static func json(
    _ result: ImportResult, landed: LandedResult? = nil, preflight: PreflightResult? = nil
  ) throws -> String {
    var object: [String: Any] = [
      "files_total": result.filesTotal,
      "files_ok": result.filesOK,
      "files_failed": result.filesFailed,
      "samples_sent": result.samplesSent,
      "samples_failed": result.samplesFailed,
      "series": result.series,
      "batches_sent": result.batchesSent,
      "batches_retried": result.batchesRetried,
      "batches_found_stored": result.batchesFoundStored,
      "batches_rest_sent": result.batchesRestSent,
      "batches_resent_unfound": result.batchesResentUnfound,
      "batches_failed": result.batchesFailed,
      "serials": result.serials,
      "seconds": (result.seconds * 1000).rounded() / 1000,
      "samples_per_second": result.throughput.rounded(),
      "targets": result.targets,
      "warnings": result.warnings,
      "all_delivered": result.allDelivered,
      "files_skipped": result.filesSkipped,
      "files_interrupted": result.filesInterrupted,
      "files_duplicate": result.filesDuplicate,
      "duplicates": result.duplicates.map {
        ["file": $0.path, "same_as": $0.sameAs, "files": $0.files, "reason": duplicateReason($0)]
          as [String: Any]
      },
      "samples_spooled": result.samplesSpooled,
      "samples_waiting_in_spool": result.samplesWaiting,
      "samples_skipped": result.samplesSkipped,
      "samples_sent_before": result.samplesSentBefore,
      "batches_spooled": result.batchesSpooled,
      "batches_by_target": result.batchesByTarget,
      "interrupted": result.interrupted,
      "failures": result.failures.map(failureObject),
      "files_spooled": result.filesSpooled,
      "spooled_for_replay": result.spooledForReplay.map(failureObject),
    ]
    object["first_timestamp"] = result.firstTimestamp.map { $0 as Any } ?? NSNull()
    object["last_timestamp"] = result.lastTimestamp.map { $0 as Any } ?? NSNull()
    object["spool"] = result.spoolDirectory.map { $0 as Any } ?? NSNull()
    object["verdict"] = verdict(result, landed: landed)
    object["accepted_only_by"] = result.acceptedOnlyBy.map { $0 as Any } ?? NSNull()
    object["preflight"] = preflight.map { preflightObject($0) as Any } ?? NSNull()
    if let landed {
      object["landed"] = [
        "checked": landed.error == nil, "passed": landed.passed,
        "duplicates_likely": landed.differences.contains { $0.found > $0.sent },
        "expected_samples": landed.expectedSamples, "found_samples": landed.foundSamples,
        "series": landed.expectedSeries, "query_url": landed.queryURL,
        "seconds": (landed.seconds * 1000).rounded() / 1000,
        "error": landed.error as Any? ?? NSNull(),
        "differences": landed.differences.map {
          [
            "series": $0.series, "sent": $0.sent, "found": $0.found,
            "other_timestamps": $0.otherTimestamps,
          ] as [String: Any]
        },
      ] as [String: Any]
    } else {
      object["landed"] = NSNull()
    }
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// A failure, or what waits in the spool, as a JSON object.
  private static func failureObject(_ failure: ImportFailure) -> [String: Any] {
    ["file": failure.file, "member": failure.member as Any? ?? NSNull(),
     "reason": failure.reason, "samples": failure.samples]
  }

  /// The progress line drawn on a terminal: files, samples, rate and an estimate of time left.
  public static func progressLine(_ progress: ImportProgress) -> String {
    let rate = progress.seconds > 0 ? Double(progress.samplesSent) / progress.seconds : 0
    var line = "import: files \(progress.filesDone)/\(progress.filesTotal) · "
      + "\(InspectReport.grouped(progress.samplesSent)) samples · "
      + "\(InspectReport.grouped(Int(rate))) samples/s"
    if progress.filesDone > 0 && progress.filesDone < progress.filesTotal {
      let left = progress.seconds / Double(progress.filesDone)
        * Double(progress.filesTotal - progress.filesDone)
      line += " · ETA \(Int(left.rounded())) s"
    }
    return line
  }
}
