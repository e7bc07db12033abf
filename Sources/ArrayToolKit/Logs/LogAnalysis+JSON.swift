// The `--json` form of an analysis: one object with `records`, `errors`, `bursts` and
// `isolated`, plus the warnings and per-class counts. Times are `YYYY-MM-DD HH:MM:SS.mmm` on the
// log's own clock; a worker range is `[min, max]`, or `[]` when no worker was named.

extension LogAnalysis {
  /// The analysis as one JSON object.
  public var json: JSONValue {
    var members: [(String, JSONValue)] = [
      ("inputs", .array(inputs.map { .string($0) })),
      ("input_errors", .array(inputErrors.map { .string($0) })),
      ("unopened_inputs", .array(unopened.sorted().map { .string(inputs[$0]) })),
      ("records", .int(records)),
      ("errors", .int(errors)),
      ("warnings", .int(warnings)),
      ("first", .string(firstTime?.text)),
      ("last", .string(lastTime?.text)),
      ("gap", .double(gap)),
    ]
    if let since { members.append(("since", .string(since.text))) }
    if let until { members.append(("until", .string(until.text))) }
    let classes = ErrorClass.allCases.compactMap { errorClass in
      classCounts[errorClass].map { (errorClass.rawValue, JSONValue.int($0)) }
    }
    members.append(("classes", .object(classes)))
    members.append(("bursts", .array(bursts.map { burstJSON($0) })))
    members.append(("isolated", .array(isolated.map { isolatedJSON($0) })))
    members.append(("warning_groups", .array(warningGroups.map { warningJSON($0) })))
    if burstsOmitted > 0 { members.append(("bursts_omitted", .int(burstsOmitted))) }
    if isolatedOmitted > 0 { members.append(("isolated_omitted", .int(isolatedOmitted))) }
    if incidentsClosedEarly > 0 {
      members.append(("incidents_closed_early", .int(incidentsClosedEarly)))
    }
    if invalidTimes.count > 0 {
      members.append(("invalid_timestamps", tallyJSON(invalidTimes)))
    }
    if outOfOrder.count > 0 { members.append(("out_of_order", tallyJSON(outOfOrder))) }
    if let timelineCut {
      // The timeline is drawn on a terminal only; this tells that it is incomplete.
      members.append(
        (
          "timeline_left_out",
          .object([("errors", .int(timelineLeftOut)), ("from", .string(timelineCut.text))])
        ))
    }
    if untimedRecords > 0 { members.append(("untimed_records", .int(untimedRecords))) }
    if untimedLeftOut.count > 0 {
      members.append(
        ("untimed_left_out", tallyJSON(untimedLeftOut, errors: untimedErrorsLeftOut)))
    }
    return .object(members)
  }

  private func burstJSON(_ burst: LogBurst) -> JSONValue {
    var members: [(String, JSONValue)] = [("class", .string(burst.errorClass.rawValue))]
    if let template = burst.template { members.append(("template", .string(template))) }
    if let host = burst.host { members.append(("host", .string(host))) }
    if let port = burst.port { members.append(("port", .int(port))) }
    if burst.errorClass.isArchive, let file = burst.files.first {
      members.append(("file", .string(file)))
    }
    if let reason = burst.reason { members.append(("reason", .string(reason))) }
    members += [
      ("first", .string(burst.first?.text)),
      ("last", .string(burst.last?.text)),
      ("duration", .double(burst.duration)),
      ("count", .int(burst.count)),
      (
        "workers",
        .array(burst.workerRange.map { [.int($0.lowerBound), .int($0.upperBound)] } ?? [])
      ),
      ("worker_count", .int(burst.workerCount)),
      ("hosts", .array(burst.hosts.map { .string($0) })),
      ("files", .array(burst.files.map { .string($0) })),
      ("severity", .string(burst.severity.rawValue)),
      ("batches_failed", .int(burst.batchesFailed)),
      ("files_skipped", .int(burst.filesSkipped)),
    ]
    if !burst.statuses.isEmpty {
      let statuses = burst.statuses.sorted { $0.key < $1.key }
      members.append(("statuses", .object(statuses.map { (String($0.key), .int($0.value)) })))
    }
    members.append(("sample", .string(burst.sample)))
    members.append(("input", .string(inputName(burst.input))))
    members.append(("line", .int(burst.line)))
    return .object(members)
  }

  private func isolatedJSON(_ error: IsolatedError) -> JSONValue {
    var members: [(String, JSONValue)] = [
      ("class", .string(error.errorClass.rawValue)),
      ("time", .string(error.time?.text)),
      ("count", .int(error.count)),
      ("worker", error.worker.map { .int($0) } ?? .null),
    ]
    if let template = error.template { members.append(("template", .string(template))) }
    if let host = error.host { members.append(("host", .string(host))) }
    if let port = error.port { members.append(("port", .int(port))) }
    if let file = error.file { members.append(("file", .string(file))) }
    if let status = error.status { members.append(("status", .int(status))) }
    members += [
      ("severity", .string(error.severity.rawValue)),
      ("message", .string(error.message)),
      ("input", .string(inputName(error.input))),
      ("line", .int(error.line)),
    ]
    return .object(members)
  }

  /// `count`, `errors` when given, and where the first record is.
  private func tallyJSON(_ tally: RecordTally, errors: Int? = nil) -> JSONValue {
    var members: [(String, JSONValue)] = [("count", .int(tally.count))]
    if let errors { members.append(("errors", .int(errors))) }
    members += [("input", .string(inputName(tally.input))), ("line", .int(tally.line))]
    return .object(members)
  }

  private func warningJSON(_ group: WarningGroup) -> JSONValue {
    .object([
      ("kind", .string(group.kind.rawValue)),
      ("template", .string(group.template)),
      ("count", .int(group.count)),
      ("first", .string(group.first?.text)),
      ("last", .string(group.last?.text)),
      ("sample", .string(group.sample)),
    ])
  }

  /// The names of the inputs that were opened, as messages name them (`(standard input)` for
  /// `-`): those a report is about.
  var openedInputNames: [String] {
    inputs.indices.filter { !unopened.contains($0) }.map(inputName)
  }

  /// The name of input `index` as given on the command line.
  func inputName(_ index: Int) -> String {
    guard index < inputs.count else { return "" }
    return inputs[index] == "-" ? LogInput.standardInputName : inputs[index]
  }
}
