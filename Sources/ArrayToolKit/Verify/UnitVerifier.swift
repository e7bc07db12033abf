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
  /// Rows are read in chunks of about this many bytes; nothing is done with them but counting.
  static let chunkBytes = 1 << 20

  /// Reads `unit` through `hooks`.
  /// - Throws: only errors that are not faults of the input (an unreadable file).
  func verify(_ unit: DatUnit, hooks: DatStreamHooks) throws -> UnitOutcome {
    var outcome = UnitOutcome()
    let stream: DatStream
    do {
      stream = try unit.open(hooks: hooks)
    } catch let fault as InputFault {
      outcome.faults.append(
        fault.path.isEmpty ? fault.located(path: unit.path, member: unit.member) : fault)
      return outcome
    }
    let decoded = try decode(stream, unit: unit)
    outcome.faults += decoded.warnings
    if let misnamed = stream.nameMismatch {
      outcome.faults.append(
        InputFault(
          .unexpectedMembers, at: misnamed.offset, misnamed.message, path: misnamed.path,
          member: misnamed.member))
    }
    var stopped = decoded.fault
    if stopped == nil {
      do {
        try stream.finish()
      } catch let fault as InputFault {
        stopped = fault
      }
    }
    if let stopped {
      var compressionFault: InputFault?
      var storedFault: InputFault?
      do {
        compressionFault = try stream.drainContainer(
          checkingCompression: decoded.fault != nil && Self.isContentFault(stopped))
      } catch let fault as InputFault {
        storedFault = fault
      }
      // Damaged compressed bytes are the cause of a .dat that makes no sense: named first.
      if let compressionFault, compressionFault != stopped { outcome.faults.append(compressionFault) }
      outcome.faults.append(stopped)
      // The zip entry's own check (its CRC-32) speaks up only here, and is news.
      if let storedFault, !outcome.faults.contains(storedFault) {
        outcome.faults.append(storedFault)
      }
    }
    outcome.containerRead = true
    outcome.notes = stream.notes.filter { $0 != stream.nameMismatch }
    return outcome
  }

  /// Whether `fault` is one the .dat decoder finds in the content, which damage in a layer
  /// below it (the compressed bytes) may have caused.
  static func isContentFault(_ fault: InputFault) -> Bool {
    switch fault.kind {
    case .datTruncated, .datBadHeader, .datBadLength, .datTrailingBytes, .notDat: true
    default: false
    }
  }

  /// Decodes the .dat to its end without building series (which verify does not need): the
  /// fault that stopped it, and the serial and time disagreements with the file name.
  private func decode(_ stream: DatStream, unit: DatUnit) throws
    -> (fault: InputFault?, warnings: [InputFault])
  {
    let member = unit.datMember(stream.datName)
    let fileName = PerfFileName(unit.name)
    let decoder = DatDecoder(
      source: stream, length: stream.length, chunkBytes: UnitVerifier.chunkBytes)
    var warnings: [InputFault] = []
    var fault: InputFault?
    do {
      let header = try decoder.readFileHeader()
      if let mismatch = DatFileReader.serialMismatch(
        fileName, header, path: unit.path, member: member)
      {
        warnings.append(mismatch)
      }
      while try decoder.nextChunk() != nil {}
    } catch let error as InputFault {
      fault = error.path.isEmpty ? error.located(path: unit.path, member: member) : error
    }
    if let named = fileName, let block = decoder.firstBlock,
      let mismatch = timeMismatch(named, block, path: unit.path, member: member)
    {
      warnings.append(mismatch)
    }
    return (fault, warnings)
  }

  /// The file name's time must fall within one sampling interval of the first block's StartTime:
  /// an array names a file after the window it covers, and the first row of that window lies at
  /// most one interval after the window starts (the sample exports have them equal).
  private func timeMismatch(
    _ named: PerfFileName, _ block: DatBlock, path: String, member: String?
  ) -> InputFault? {
    let header = block.header
    let difference = header.startTime - named.timestamp
    guard difference.magnitude >= UInt64(header.archive) else { return nil }
    return InputFault(
      .serialMismatch, at: block.offset + 8,
      "the file name says \(InspectReport.utc(named.timestamp * 1000)) UTC but block 0 starts at "
        + "\(InspectReport.utc(header.startTime * 1000)) UTC (StartTime \(header.startTime), "
        + "\(difference) s apart, more than the \(header.archive) s interval)",
      path: path, member: member)
  }
}
