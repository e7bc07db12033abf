// Checks one unit (a .tgz, .tar or .dat, on disk or in a zip) from the stored bytes down to the
// last row: every layer's own checks, the .dat decoded to its end, the serial and time in the
// file name against the .dat, and the name of the .dat against its container. When a fault stops
// the decoding, the rest of the stored bytes is still read, so that the zip entry checks its
// CRC-32 and the digests being computed over the member see all of it.

/// What checking one unit found.
struct UnitOutcome {
  var faults: [InputFault] = []
  var notes: [InputNote] = []
  /// Whether the container's bytes were read to their end (false when it could not be opened).
  var containerRead = false
}

/// Checks units end to end.
struct UnitVerifier {
  let reader: DatFileReader

  /// Reads `unit` through `hooks`.
  /// - Throws: only errors that are not faults of the input (an unreadable file).
  func verify(_ unit: DatUnit, hooks: DatStreamHooks) throws -> UnitOutcome {
    var outcome = UnitOutcome()
    let stream: DatStream
    do {
      stream = try unit.open(hooks: hooks)
    } catch let fault as InputFault {
      outcome.faults.append(fault.path.isEmpty ? fault.located(path: unit.path, member: unit.member) : fault)
      return outcome
    }
    let summary = try reader.read(
      stream, length: stream.length, name: unit.name, path: unit.path,
      member: unit.datMember(stream.datName)
    ) { _, _ in }

    outcome.faults += summary.warnings
    if let mismatch = timeMismatch(summary, unitName: unit.name) { outcome.faults.append(mismatch) }
    if let misnamed = stream.nameMismatch {
      outcome.faults.append(
        InputFault(
          .unexpectedMembers, at: misnamed.offset, misnamed.message, path: misnamed.path,
          member: misnamed.member))
    }
    var stopped = summary.fault
    if stopped == nil {
      do {
        try stream.finish()
      } catch let fault as InputFault {
        stopped = fault
      }
    }
    if let stopped {
      outcome.faults.append(stopped)
      do {
        try stream.drainContainer()
      } catch let fault as InputFault {
        // The zip entry's own check (its CRC-32) speaks up only here, and is news.
        if !outcome.faults.contains(fault) { outcome.faults.append(fault) }
      }
    }
    outcome.containerRead = true
    outcome.notes = stream.notes.filter { $0 != stream.nameMismatch }
    return outcome
  }

  /// The file name's time must fall within one sampling interval of the first block's StartTime:
  /// an array names a file after the window it covers, and the first row of that window lies at
  /// most one interval after the window starts (the sample exports have them equal).
  private func timeMismatch(_ summary: DatFileSummary, unitName: String) -> InputFault? {
    guard let named = summary.fileName, let block = summary.firstBlock else { return nil }
    let header = block.header
    let difference = header.startTime - named.timestamp
    guard difference.magnitude >= UInt64(header.archive) else { return nil }
    return InputFault(
      .serialMismatch, at: block.offset + 8,
      "the file name says \(InspectReport.utc(named.timestamp * 1000)) UTC but block 0 starts at "
        + "\(InspectReport.utc(header.startTime * 1000)) UTC (StartTime \(header.startTime), "
        + "\(difference) s apart, more than the \(header.archive) s interval)",
      path: summary.path, member: summary.member)
  }
}
