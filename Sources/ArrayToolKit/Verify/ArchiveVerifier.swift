// Checks one input file: a zip entry by entry in the order the entries lie in the file, a .tgz,
// .tar or .dat as one unit, or any other listed file by reading it. Every digest the checksum plan
// asks for is computed in the same pass: the file's own (for `X.zip.sha256`) from the reads the
// checks make, each member's from the bytes the member yields.

/// Verifies input files and records what it finds in a ledger.
struct ArchiveVerifier {
  let plan: ChecksumPlan
  let units: UnitVerifier
  let limits: ExpansionLimits
  let ledger: VerifyLedger

  /// Checks a zip whose central directory was read.
  /// - Throws: `SystemError` when the file cannot be read.
  func verifyZip(_ archive: ZipArchive, identity: FileIdentity) throws {
    ledger.filesChecked += 1
    ledger.faults += archive.faults
    ledger.notes += archive.notes
    let tracker = FileDigestTracker(
      file: archive.file, algorithms: plan.algorithms(for: .file(identity)), meter: ledger.meter)
    var unitCount = 0
    // File order lets the tracker see the file front to back.
    for entry in archive.entriesInFileOrder where entry.unsafeNameReason == nil {
      try verifyEntry(entry, of: archive, identity: identity, tracker: tracker)
      if case .unit? = PerfInput.kind(ofName: entry.name), !entry.isDirectory { unitCount += 1 }
    }
    if let fault = PerfInput.noUnitFault(archive, unitCount: unitCount) {
      ledger.faults.append(fault)
    }
    plan.record(try tracker.finish(), for: .file(identity))
    ledger.bytesRead += tracker.bytesRead
  }

  private func verifyEntry(
    _ entry: ZipEntry, of archive: ZipArchive, identity: FileIdentity, tracker: FileDigestTracker
  ) throws {
    if let excess = limits.excess(
      expanded: entry.uncompressedSize, compressedSize: entry.compressedSize)
    {
      ledger.faults.append(
        InputFault(
          .ratioLimit, at: entry.centralHeaderOffset, "the entry " + excess + "; not read",
          path: archive.path, member: entry.name))
      return
    }
    if !entry.isDirectory { ledger.filesChecked += 1 }
    // Of entries sharing a name only the first is what a manifest line can mean.
    let target = ChecksumTarget.member(zip: identity, name: entry.name)
    let isFirst = archive.entry(named: entry.name) == entry
    let digests = DigestSet(isFirst ? plan.algorithms(for: target) : [])

    if case .unit(let format)? = PerfInput.kind(ofName: entry.name), !entry.isDirectory {
      let unit = DatUnit(archive: archive, entry: entry, format: format)
      let hooks = DatStreamHooks(
        fileRead: tracker.observer, containerRead: digests.isEmpty ? nil : digests.update,
        expansion: limits)
      let outcome = try units.verify(unit, hooks: hooks)
      ledger.faults += outcome.faults
      ledger.notes += outcome.notes
      if !outcome.containerRead {
        // The unit failed before it yielded a stream: read the entry as plain bytes so that
        // its CRC-32 is checked and its digests cover it.
        digests.reset()
        if let fault = try drain(entry, of: archive, tracker: tracker, digests: digests),
          !outcome.faults.contains(fault)
        {
          ledger.faults.append(fault)
        }
      }
    } else {
      if !entry.isDirectory, let note = PerfInput.unreadMemberNote(entry, of: archive) {
        ledger.notes.append(note)
      }
      if let fault = try drain(entry, of: archive, tracker: tracker, digests: digests) {
        ledger.faults.append(fault)
      }
    }
    if !digests.isEmpty, digests.count == entry.uncompressedSize {
      plan.record(digests.finish(), for: target)
    }
  }

  /// Reads an entry to its end; returns its fault, if any.
  private func drain(
    _ entry: ZipEntry, of archive: ZipArchive, tracker: FileDigestTracker, digests: DigestSet
  ) throws -> InputFault? {
    do {
      let source = try archive.open(entry, observer: tracker.observer)
      let observed = digests.isEmpty ? source : ObservedSource(source, observer: digests.update)
      try ArchiveVerifier.readToEnd(observed)
      return nil
    } catch let fault as InputFault {
      return fault
    }
  }

  /// Checks a .tgz, .tar or .dat file as one unit.
  func verifyUnitFile(_ input: VerifyInput, format: DatUnit.Format) throws {
    ledger.filesChecked += 1
    let file = try InputFile(path: input.path)
    let tracker = FileDigestTracker(
      file: file, algorithms: plan.algorithms(for: .file(input.identity)), meter: ledger.meter)
    let unit = DatUnit(path: input.path, format: format, size: file.size)
    let outcome = try units.verify(
      unit, hooks: DatStreamHooks(fileRead: tracker.observer, expansion: limits))
    ledger.faults += outcome.faults
    ledger.notes += outcome.notes
    plan.record(try tracker.finish(), for: .file(input.identity))
    ledger.bytesRead += tracker.bytesRead
  }

  /// Reads a file only for its digests (a file a manifest lists, a damaged zip); a file nobody
  /// asked a digest of is not read. The caller counts the file.
  func hashFile(_ input: VerifyInput) throws {
    let algorithms = plan.algorithms(for: .file(input.identity))
    guard !algorithms.isEmpty else { return }
    let tracker = FileDigestTracker(
      file: try InputFile(path: input.path), algorithms: algorithms, meter: ledger.meter)
    plan.record(try tracker.finish(), for: .file(input.identity))
    ledger.bytesRead += tracker.bytesRead
  }

  static func readToEnd(_ source: ByteSource) throws {
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    defer { scratch.deallocate() }
    while try source.read(into: scratch) > 0 {}
  }
}

/// What a verify run has found so far.
final class VerifyLedger {
  /// Where the progress line learns what was read; nil when nobody shows one.
  var meter: ReadProgressMeter?
  var faults: [InputFault] = []
  var notes: [InputNote] = []
  var filesChecked = 0
  var bytesRead: Int64 = 0
}
